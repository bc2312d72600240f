/** Twilio hands a SIP INVITE's headers to the voice webhook as `SipHeader_<name>` form parameters. */
const PREFIX = 'SipHeader_';
/** Header names as seed 002 allows them in `sip_header_variables`. */
const HEADER_NAME = /^[A-Za-z0-9_-]{1,100}$/;
export const MAX_SIP_HEADERS = 50;
export const MAX_SIP_HEADER_VALUE_CHARS = 1024;

export interface SipHeaders {
  /** Names as sent (case kept), values as sent: untrusted data, never templates. */
  headers: Record<string, string>;
  /** Headers left out: a malformed name, a value over the size limit, or over the count limit. */
  dropped: number;
}

/**
 * The caller's SIP headers from the voice webhook's parameters, bounded in count and size. A
 * header that does not fit is left out (and counted), never cut: a shortened value would match
 * the wrong row of a lookup.
 */
export function sipHeadersFromParams(params: Record<string, string>): SipHeaders {
  const headers: Record<string, string> = {};
  let dropped = 0;
  for (const [key, value] of Object.entries(params)) {
    if (!key.startsWith(PREFIX)) continue;
    const name = key.slice(PREFIX.length);
    const fits = HEADER_NAME.test(name) && value.length <= MAX_SIP_HEADER_VALUE_CHARS && Object.keys(headers).length < MAX_SIP_HEADERS;
    // Object.prototype names would not survive a plain object; the pattern already refuses them except these.
    if (!fits || name === '__proto__' || name === 'constructor' || name === 'prototype') dropped += 1;
    else headers[name] = value;
  }
  return { headers, dropped };
}
