/** Checks of parsed JSON shared by the API's schemas and the domain validators (tools, dynamic_data). */

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The store refuses keys with a dot or a leading `$` (DESIGN §8), so they are refused here, clearly. */
export function unsafeKey(v: unknown, depth = 0): string | null {
  if (depth > 20) return '(nesting deeper than 20 levels)';
  if (Array.isArray(v)) {
    for (const x of v) {
      const bad = unsafeKey(x, depth + 1);
      if (bad) return bad;
    }
  } else if (isPlainObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k.includes('.') || k.startsWith('$') || k === '__proto__') return k;
      const bad = unsafeKey(x, depth + 1);
      if (bad) return bad;
    }
  }
  return null;
}
