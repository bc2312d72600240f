import type { AdditionalHeader } from './types';

export interface SipHeader {
  name: string;
  value: string;
}

/** The seed's additional_header values as the INVITE header they add (RFC 5373 and the Alert-Info conventions). */
export const AUTO_ANSWER_HEADERS: Record<AdditionalHeader, SipHeader> = {
  ANSWER_MODE: { name: 'Answer-Mode', value: 'Auto' },
  CALL_INFO: { name: 'Call-Info', value: 'answer-after=0' },
  ALERT_INFO_AUTO_ANSWER_DELAY0: { name: 'Alert-Info', value: 'info=alert-autoanswer;delay=0' },
  ALERT_INFO_AUTO_ANSWER: { name: 'Alert-Info', value: 'info=Auto Answer' },
  ALERT_INFO_INTERCOM: { name: 'Alert-Info', value: 'info=intercom' },
};

/**
 * Conveyed to the carrier simulator's trunk only (the simulated provider): what a SIP URI's headers
 * cannot say on their own, the From display name and a delayed offer. Never sent to Twilio, which
 * refuses both (src/sessions/providers.ts).
 */
export const SIM_DISPLAY_NAME_HEADER = 'X-Switchboard-Display-Name';
export const SIM_SEND_SDP_HEADER = 'X-Switchboard-Send-Sdp';

/** A SIP URI's user part as a session may send it: a number or an extension, nothing that could end the URI. */
export const SIP_USER = /^[A-Za-z0-9+*._~!-]{1,256}$/;

/** `sip:user@host;transport=…?Name=value&…`, values percent-encoded (RFC 3261 §19.1.1 headers). */
export function sipUri(user: string, host: string, transport: string, headers: SipHeader[]): string {
  const base = `sip:${user}@${host}${transport === 'udp' ? '' : `;transport=${transport}`}`;
  if (headers.length === 0) return base;
  return `${base}?${headers.map((h) => `${h.name}=${encodeURIComponent(h.value)}`).join('&')}`;
}

/** The inverse, for the simulator's trunk: user, host, parameters and headers of a SIP URI; null if it is not one. */
export function parseSipUri(uri: string): { user: string; host: string; params: Record<string, string>; headers: SipHeader[] } | null {
  const m = /^sips?:([^@?;]+)@([^;?]+)((?:;[^?]*)?)(?:\?(.*))?$/.exec(uri.trim());
  if (!m) return null;
  const params = Object.fromEntries(
    (m[3] ?? '')
      .split(';')
      .filter(Boolean)
      .map((p) => {
        const [k, v = ''] = p.split('=');
        return [k!.toLowerCase(), v];
      }),
  );
  const headers: SipHeader[] = [];
  for (const pair of (m[4] ?? '').split('&').filter(Boolean)) {
    const at = pair.indexOf('=');
    const name = at < 0 ? pair : pair.slice(0, at);
    let value = at < 0 ? '' : pair.slice(at + 1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // A malformed escape is kept as sent: the trunk records what arrived.
    }
    headers.push({ name, value });
  }
  return { user: m[1]!, host: m[2]!, params, headers };
}
