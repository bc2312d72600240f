/**
 * A copy of a JSON-like value that the store can hold: keys with '.' or a leading '$' (which
 * FerretDB and MongoDB refuse) have those characters replaced by '_'. For values that come from
 * third-party responses (tool and dynamic_data variables) and are only shown back, never queried.
 * Pure: the workflow uses it too.
 */
export function storable(value: unknown, depth = 0): unknown {
  if (depth > 30) return null;
  if (Array.isArray(value)) return value.map((v) => storable(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k.replace(/\./g, '_').replace(/^\$/, '_'), storable(v, depth + 1)]),
    );
  }
  return value;
}
