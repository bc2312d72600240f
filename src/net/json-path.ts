import { JSONPath } from 'jsonpath-plus';

/**
 * JSONPath extraction for tool `response` maps, dynamic_data `response_data` and pathway webhook
 * nodes. `eval: false` because the paths come from API users and must never run code. A path
 * written without the leading `$` (`data.id`, `[0].name`) is read from the root, as users of the
 * seed's dot notation expect. A path that matches nothing gives `undefined`; one that matches
 * several values gives them as an array.
 */
export function extractJsonPath(data: unknown, path: string): unknown {
  const trimmed = path.trim();
  if (!trimmed) return undefined;
  const full = trimmed.startsWith('$') ? trimmed : trimmed.startsWith('[') ? `$${trimmed}` : `$.${trimmed}`;
  if (data === null || data === undefined || typeof data !== 'object') {
    // Only `$` means anything against a scalar body (plain text, a number).
    return full === '$' ? data : undefined;
  }
  try {
    return JSONPath({ path: full, json: data as object, eval: false, wrap: false });
  } catch {
    // A malformed path is the user's configuration, not a crash: it simply extracts nothing.
    return undefined;
  }
}

/** Whether a JSONPath is well formed enough to be accepted in a configuration. */
export function isUsableJsonPath(path: unknown): path is string {
  return typeof path === 'string' && path.trim().length > 0 && path.length <= 500;
}
