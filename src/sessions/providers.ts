import type { SealedSipAuth } from '../trunks/credentials';
import type { TrunkDoc } from '../trunks/types';
import { AUTO_ANSWER_HEADERS, SIM_DISPLAY_NAME_HEADER, SIM_SEND_SDP_HEADER, sipUri, type SipHeader } from './sip-headers';
import type { SessionRequest } from './types';

/**
 * What each telephony provider can put in a session's INVITEs (docs/sessions.md has the table).
 * Twilio's `<Dial><Sip>` and a REST call to a SIP address send only X- headers, User-to-User,
 * Remote-Party-ID, P-Preferred-Identity and P-Called-Party-ID in the URI (Twilio errors 13252,
 * 32113); the From user part is `callerId` / `From`; there is no display name and the INVITE
 * always offers SDP. The carrier simulator's trunk takes everything, so every field can be tested.
 * A request for something the provider cannot send is refused by name, never dropped.
 */
export type SessionProvider = 'twilio' | 'simulator';

const TWILIO_HEADERS = /^(x-.+|user-to-user|remote-party-id|p-preferred-identity|p-called-party-id)$/i;

export function sessionProvider(telephony: { name: string; simulated: boolean }): SessionProvider {
  return telephony.simulated ? 'simulator' : 'twilio';
}

/** One leg as the carrier is asked to place it. */
export interface LegPlan {
  /** A SIP URI with its headers, or an E.164 number (a session without a trunk). */
  address: string;
  /** The From user part (a number, an extension, or rewrite_from). */
  from: string;
  /** The headers in `address`, as requested (for the record and the tests). */
  headers: SipHeader[];
  /** The trunk's digest credentials, the password sealed (opened only where the carrier is told); absent without them. */
  sipAuth?: SealedSipAuth | null;
}

export interface BridgePlan {
  provider: SessionProvider;
  caller: LegPlan;
  callee: LegPlan;
}

/** A request the provider cannot carry out as asked: each message names the field, the header and the provider. */
export class SessionPlanRefused extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join(' '));
    this.name = 'SessionPlanRefused';
  }
}

function calleeIdentityHeaders(req: SessionRequest, host: string): SipHeader[] {
  const headers: SipHeader[] = [];
  if (req.rewrite_pai) headers.push({ name: 'P-Asserted-Identity', value: `<sip:${req.rewrite_pai}@${host}>` });
  if (req.rewrite_rpi) headers.push({ name: 'Remote-Party-ID', value: `<sip:${req.rewrite_rpi}@${host}>;party=calling;screen=no;privacy=off` });
  return headers;
}

const FIELD_OF_HEADER: Record<string, string> = {
  'P-Asserted-Identity': 'rewrite_pai',
  'Remote-Party-ID': 'rewrite_rpi',
};

/**
 * The two legs of a session: the caller first, then (once the caller answers) the callee, each
 * through the trunk when one is named, or as phone numbers through the carrier without one.
 * The rewrites and the display name are the callee's leg (the caller's identity as the callee
 * sees it); the auto-answer header goes to the legs `header_direction` names (CALLER by default).
 */
export function planBridge(req: SessionRequest, trunk: TrunkDoc | null, provider: SessionProvider, defaultFrom: string): BridgePlan {
  const problems: string[] = [];
  const direction = req.additional_header ? (req.header_direction ?? 'CALLER') : null;
  const autoAnswer = req.additional_header ? AUTO_ANSWER_HEADERS[req.additional_header] : null;
  const callerHeaders: SipHeader[] = autoAnswer && (direction === 'CALLER' || direction === 'ALL') ? [autoAnswer] : [];
  const calleeHeaders: SipHeader[] = [];
  if (trunk) calleeHeaders.push(...calleeIdentityHeaders(req, trunk.host));
  if (autoAnswer && (direction === 'CALLEE' || direction === 'ALL')) calleeHeaders.push(autoAnswer);

  if (!trunk) {
    // Phone numbers through the carrier: nothing SIP-level can be asked for.
    for (const field of ['rewrite_from', 'rewrite_pai', 'rewrite_rpi', 'caller_display_name', 'additional_header'] as const) {
      if (req[field]) problems.push(`${field} applies to calls through a SIP trunk: name one in trunk (see /v1/trunks).`);
    }
    if (!req.send_sdp) problems.push('send_sdp: false (an INVITE without SDP) applies to calls through a SIP trunk: name one in trunk.');
    if (problems.length) throw new SessionPlanRefused(problems);
    return {
      provider,
      caller: { address: req.caller, from: defaultFrom, headers: [] },
      callee: { address: req.callee, from: req.caller, headers: [] },
    };
  }

  const presented = req.rewrite_from ?? req.caller;
  if (trunk.allowed_caller_ids && !trunk.allowed_caller_ids.includes(presented)) {
    problems.push(`caller ID ${JSON.stringify(presented)} (${req.rewrite_from ? 'rewrite_from' : 'caller'}) is not among the allowed_caller_ids of trunk ${JSON.stringify(trunk.name)}.`);
  }

  if (provider === 'twilio') {
    for (const h of [...callerHeaders, ...calleeHeaders]) {
      if (TWILIO_HEADERS.test(h.name)) continue;
      const field = FIELD_OF_HEADER[h.name] ?? 'additional_header';
      const problem = `${field}: the ${h.name} header cannot be sent by provider twilio (its <Sip> sends only X- headers, User-to-User, Remote-Party-ID, P-Preferred-Identity and P-Called-Party-ID).`;
      if (!problems.includes(problem)) problems.push(problem);
    }
    if (req.caller_display_name) problems.push("caller_display_name: the From header's display name cannot be set by provider twilio.");
    if (!req.send_sdp) problems.push('send_sdp: false (an INVITE without SDP, a delayed offer) cannot be sent by provider twilio: its INVITEs always offer SDP.');
  }
  if (problems.length) throw new SessionPlanRefused(problems);

  // The simulator's trunk also reads what no SIP URI header says: the display name and the SDP choice.
  const simulated = (headers: SipHeader[], displayName: string | null | undefined): SipHeader[] =>
    provider === 'simulator'
      ? [...headers, ...(displayName ? [{ name: SIM_DISPLAY_NAME_HEADER, value: displayName }] : []), { name: SIM_SEND_SDP_HEADER, value: String(req.send_sdp) }]
      : headers;
  const callerWire = simulated(callerHeaders, null);
  const calleeWire = simulated(calleeHeaders, req.caller_display_name);
  const sipAuth: SealedSipAuth | null = trunk.username && trunk.password ? { username: trunk.username, sealedPassword: trunk.password, orgId: trunk.org_id, trunkId: trunk._id } : null;
  return {
    provider,
    caller: { address: sipUri(req.caller, trunk.host, trunk.transport, callerWire), from: req.callee, headers: callerHeaders, ...(sipAuth ? { sipAuth } : {}) },
    callee: { address: sipUri(req.callee, trunk.host, trunk.transport, calleeWire), from: presented, headers: calleeHeaders, ...(sipAuth ? { sipAuth } : {}) },
  };
}
