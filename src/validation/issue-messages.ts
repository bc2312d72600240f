import type { z } from 'zod';
import { AS_IS, LABEL, MISSING } from './fields';

/** `tools[0].name`, `retry.on[2]`; the root is named by `root` ("Request body"). */
export function pathLabel(path: readonly PropertyKey[], root: string): string {
  if (path.length === 0) return root;
  const named = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
  // An item of a body that is itself an array: `Request body[0]`.
  return typeof path[0] === 'number' ? `${root}${named}` : named;
}

/**
 * At most this many problems are listed one by one (a hostile body can have tens of thousands);
 * the rest are counted in a last line. Above batches' own 1,000 named rows and their summary.
 */
export const MAX_LISTED_PROBLEMS = 2000;

/**
 * Every problem of a failed parse, in Bland's wording: the builders' messages with their field's
 * path filled in. A message not written by a builder (zod's own) is prefixed with its path.
 * Linear in the number of issues: a body with many bad parts must not hold the event loop.
 */
export function issueMessages(error: z.ZodError, root = 'Request body'): string[] {
  const seen = new Set<string>();
  for (const issue of error.issues) {
    const label = pathLabel(issue.path, root);
    let message: string;
    if (issue.message === MISSING) message = `Missing required parameter: ${label}.`;
    else if (issue.message.startsWith(AS_IS)) message = issue.message.slice(AS_IS.length);
    else if (issue.message.includes(LABEL)) message = issue.message.split(LABEL).join(label);
    else if (issue.code === 'custom' || issue.path.length === 0) message = issue.message;
    else message = `${label}: ${issue.message}`;
    seen.add(message);
  }
  const all = [...seen];
  if (all.length <= MAX_LISTED_PROBLEMS) return all;
  return [...all.slice(0, MAX_LISTED_PROBLEMS), `…and ${all.length - MAX_LISTED_PROBLEMS} more problems.`];
}
