import type { Database } from '../db/database';
import type { OutboundHttp } from '../net/outbound-http';
import { mask } from '../phone';
import { findCsvRow, readLookup } from './lookup-store';
import { lookupByUrl } from './lookup-url';
import { findInboundSession } from './sessions';
import { conventionVariables, declaredVariables, headerIgnoringCase, SESSION_HEADER, usableHeaders, type HeaderEvent } from './sip-headers';
import { isVariableName, maskValue } from './values';

export interface InboundContextInput {
  orgId: string;
  callId: string;
  /** The organisation's number that was called (E.164): the `_id` of `inbound_numbers`. */
  number: string;
  /** The caller. */
  from: string;
  /** The INVITE's SIP headers, names as sent, values untrusted. */
  sipHeaders: Record<string, string>;
}

export interface InboundContext {
  variables: Record<string, unknown>;
  /** The session's voice (seed 000), when its token was good and it named one. */
  voice?: string;
  events: HeaderEvent[];
}

/**
 * What an incoming call knows before its first word, from the caller's SIP context. Later
 * sources win on a name they share:
 * 1. every `X-` header as `sip_header_<lowercased name>` (Bland);
 * 2. the number's `sip_header_variables` (seed 002): declared headers, exact case; absent = '';
 * 3. the number's lookup source (CSV or URL), keyed by the `ingest_lookup_key` header's value, or
 *    by the caller's number when that is not set or the header is not on the call (with an event);
 *    exact match; it wins over the headers, as the seed says;
 * 4. the inbound session named by `x-bland-session-id` (seed 000, any case): its request_data
 *    and voice, set through the API for this very call.
 * Nothing here fails the call: every source that cannot be used is an event, and the call goes on.
 * Values are data (cleaned, bounded), never templates; events never carry a raw value.
 */
export async function resolveInboundContext(
  deps: { db: Database; outbound: OutboundHttp },
  input: InboundContextInput,
): Promise<InboundContext> {
  const events: HeaderEvent[] = [];
  const headers = usableHeaders(input.sipHeaders);
  const vars = new Map<string, unknown>(conventionVariables(headers, events));

  const number = await deps.db.collections.inboundNumbers.findOne({ _id: input.number });
  const agent = number && number.org_id === input.orgId ? number.agent : null;
  if (agent) {
    const declared = (agent.sip_header_variables ?? null) as Record<string, unknown> | null;
    for (const [name, value] of declaredVariables(headers, declared, events)) {
      vars.set(name, value);
    }
    const head = number ? await readLookup(deps.db, number) : null;
    if (head) {
      const keyHeader = typeof agent.ingest_lookup_key === 'string' ? agent.ingest_lookup_key : null;
      let key = input.from;
      if (keyHeader) {
        const value = headers.get(keyHeader);
        if (value) key = value;
        else events.push({ category: 'info', message: `Warning: the lookup key header ${keyHeader} is not on this call; looking up by the caller's number (${mask(input.from)}) instead.` });
      }
      const shownKey = key === input.from ? mask(key) : maskValue(key);
      if (head.source === 'csv') {
        const row = await findCsvRow(deps.db, head, key);
        if (row) {
          for (const [name, value] of Object.entries(row)) if (isVariableName(name)) vars.set(name, value);
          events.push({ category: 'info', message: `Lookup CSV: the row for ${shownKey} was found; ${Object.keys(row).length} variables set.` });
        } else events.push({ category: 'info', message: `Lookup CSV: no row for ${shownKey}; its columns are empty.` });
      } else if (head.url) {
        const found = await lookupByUrl(deps.outbound, { url: head.url, headers: head.headers, timeout_ms: head.timeout_ms }, { key, from: input.from, to: input.number });
        if (found.outcome === 'match') {
          for (const [name, value] of found.values) {
            vars.set(name, value);
          }
          const skipped = found.skipped > 0 ? ` (${found.skipped} fields skipped: not a variable name or not a string, number or boolean)` : '';
          events.push({ category: 'info', message: `Lookup URL: ${found.values.size} variables for ${shownKey}${skipped}.` });
        } else if (found.outcome === 'no_match') events.push({ category: 'info', message: `Lookup URL: no match for ${shownKey}.` });
        else events.push({ category: 'error', message: `Lookup URL failed (${found.reason}); the call goes on without lookup variables.` });
      }
    }
  }

  let voice: string | undefined;
  const token = headerIgnoringCase(headers, SESSION_HEADER) ?? headerIgnoringCase(new Map(Object.entries(input.sipHeaders ?? {}).filter(([, v]) => typeof v === 'string')), SESSION_HEADER);
  if (token !== undefined) {
    const found = await findInboundSession(deps.db, token.trim(), input.orgId, input.number);
    if (found.ok) {
      for (const [name, value] of Object.entries(found.session.request_data)) vars.set(name, value);
      if (found.session.voice) voice = found.session.voice;
      events.push({ category: 'info', message: `Inbound session ${maskValue(token)}: ${Object.keys(found.session.request_data).length} variables${voice ? ' and its voice' : ''} applied.` });
    } else {
      const why = { unknown: 'is not a session of this organisation', expired: 'has expired', other_number: 'was created for another number' }[found.why];
      events.push({ category: 'info', message: `Inbound session ${maskValue(token)} ${why}; the call goes on without it.` });
    }
  }

  return { variables: Object.fromEntries(vars), ...(voice ? { voice } : {}), events };
}
