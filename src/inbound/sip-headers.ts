import { cleanValue, isVariableName } from './values';

/**
 * The SIP headers of an incoming call as variables (seed 002, and Bland's convention). Header
 * names arrive as sent. Values are untrusted: cleaned and bounded (values.ts), never evaluated.
 */

/** Bland's session header (seed 000). Never a variable: the token would reach the prompt. */
export const SESSION_HEADER = 'x-bland-session-id';
/** A header value's bound, the one the voice webhook keeps (src/calls/sip-headers.ts); longer ones are cut here too. */
export const MAX_HEADER_VALUE_CHARS = 1_024;
/** Headers considered per call; a carrier sends a handful. */
export const MAX_SIP_HEADERS = 50;
const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

export interface HeaderEvent {
  category: 'info' | 'error';
  message: string;
}

/** The headers worth reading: well-formed names with string values, at most MAX_SIP_HEADERS of them. */
export function usableHeaders(raw: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (out.size >= MAX_SIP_HEADERS) break;
    if (typeof value === 'string' && HEADER_NAME.test(name)) out.set(name, value);
  }
  return out;
}

/** The value of a header whose name matches case-insensitively (the session header), if any. */
export function headerIgnoringCase(headers: Map<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of headers) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** Bland: every `X-` header is also `{{sip_header_<lowercased name>}}`, the session header excepted. */
export function conventionVariables(headers: Map<string, string>, events: HeaderEvent[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, raw] of headers) {
    const lower = name.toLowerCase();
    if (!lower.startsWith('x-') || lower === SESSION_HEADER) continue;
    const { value, cut } = cleanValue(raw, MAX_HEADER_VALUE_CHARS);
    if (cut) events.push({ category: 'info', message: `SIP header ${name} is longer than 1,024 characters; it was cut.` });
    out.set(`sip_header_${lower}`, value);
  }
  return out;
}

/**
 * Seed 002's `sip_header_variables`: each declared header (exact case) becomes its variable; a
 * declared header that is absent is the empty string, with an event, and the call goes on.
 */
export function declaredVariables(
  headers: Map<string, string>,
  declared: Record<string, unknown> | null | undefined,
  events: HeaderEvent[],
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [header, variable] of Object.entries(declared ?? {})) {
    if (typeof variable !== 'string' || !isVariableName(variable)) continue;
    const raw = headers.get(header);
    if (raw === undefined) {
      events.push({ category: 'info', message: `SIP header ${header} (variable ${variable}) is not on this call; ${variable} is empty.` });
      out.set(variable, '');
      continue;
    }
    const { value, cut } = cleanValue(raw, MAX_HEADER_VALUE_CHARS);
    if (cut) events.push({ category: 'info', message: `SIP header ${header} (variable ${variable}) is longer than 1,024 characters; it was cut.` });
    out.set(variable, value);
  }
  return out;
}
