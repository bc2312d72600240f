import type { Database } from '../db/database';
import type { InboundNumberDoc } from '../numbers/types';
import { readLookup } from './lookup-store';
import { isVariableName } from './values';

/**
 * The names a number's prompt may write as `{name}` (seed 002): its declared SIP header
 * variables and its lookup CSV's columns. Known before the call starts, so the prompt is read
 * once, when the call is built; a lookup URL's fields are known only during the call and take
 * `{{name}}`.
 */
export async function singleBraceNames(db: Database, number: InboundNumberDoc): Promise<string[]> {
  const names = new Set<string>();
  const declared = number.agent.sip_header_variables;
  if (declared && typeof declared === 'object') {
    for (const variable of Object.values(declared as Record<string, unknown>)) if (typeof variable === 'string' && isVariableName(variable)) names.add(variable);
  }
  const head = await readLookup(db, number);
  for (const column of head?.source === 'csv' ? (head.columns ?? []) : []) names.add(column);
  return [...names];
}
