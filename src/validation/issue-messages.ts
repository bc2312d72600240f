import type { z } from 'zod';
import { AS_IS, LABEL, MISSING } from './fields';

/** `tools[0].name`, `retry.on[2]`; the root is named by `root` ("Request body"). */
export function pathLabel(path: readonly PropertyKey[], root: string): string {
  if (path.length === 0) return root;
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/**
 * Every problem of a failed parse, in Bland's wording: the builders' messages with their field's
 * path filled in. A message not written by a builder (zod's own) is prefixed with its path.
 */
export function issueMessages(error: z.ZodError, root = 'Request body'): string[] {
  const out: string[] = [];
  for (const issue of error.issues) {
    const label = pathLabel(issue.path, root);
    let message: string;
    if (issue.message === MISSING) message = `Missing required parameter: ${label}.`;
    else if (issue.message.startsWith(AS_IS)) message = issue.message.slice(AS_IS.length);
    else if (issue.message.includes(LABEL)) message = issue.message.split(LABEL).join(label);
    else if (issue.code === 'custom' || issue.path.length === 0) message = issue.message;
    else message = `${label}: ${issue.message}`;
    if (!out.includes(message)) out.push(message);
  }
  return out;
}
