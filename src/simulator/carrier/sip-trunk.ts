import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Express } from 'express';
import { parseSipUri, SIM_DISPLAY_NAME_HEADER, SIM_SEND_SDP_HEADER, type SipHeader } from '../../sessions/sip-headers';
import type { CalleeScript } from './callee-script';
import type { DialBridge } from './twiml-reader';

/**
 * The simulated SIP trunk: the peer a bridged session's legs are sent to. It records each INVITE
 * exactly as the application asked for it (request URI, From user and display name,
 * P-Asserted-Identity, Remote-Party-ID, the auto-answer header, SDP offered or not), and plays the
 * callee of a `<Dial><Sip>` (or `<Dial><Number statusCallback>`) leg: ringing, the script's outcome,
 * its lines alternating with the caller's, and a hang-up by either side.
 */
export interface SipInvite {
  leg: 'rest' | 'dial';
  call_sid: string;
  parent_call_sid: string | null;
  request_uri: string;
  user: string;
  host: string;
  transport: string;
  from_user: string;
  from_display_name: string | null;
  p_asserted_identity: string | null;
  remote_party_id: string | null;
  answer_mode: string | null;
  call_info: string | null;
  alert_info: string | null;
  /** Whether the INVITE carries an SDP offer (false: a delayed offer). */
  sdp: boolean;
  /** The digest username the leg authenticated with (Twilio: `<Sip username>`, the REST call's SipAuthUsername); null without one. */
  auth_username: string | null;
  /** Whether a digest password came with it (the password itself is never recorded). */
  auth_password_present: boolean;
  /** The headers from the URI as received, except the simulator's own two. */
  headers: SipHeader[];
  at: string;
}

export interface BridgeLine {
  speaker: 'caller' | 'callee';
  text: string;
  at: string;
}

export interface SipTrunk {
  invites: SipInvite[];
  /** Lines spoken over each bridge, by the caller's (parent) call SID. */
  bridges: Map<string, BridgeLine[]>;
  /** Records an INVITE for a leg whose address is a SIP URI; null if it is not one. */
  recordInvite(leg: SipInvite['leg'], address: string, fromUser: string, callSid: string, parentCallSid: string | null, auth?: SipDigest): SipInvite | null;
}

/** What the simulated trunk keeps of a leg's digest credentials: the username, and whether a password came. */
export interface SipDigest {
  username: string | null;
  passwordPresent: boolean;
}

const headerValue = (headers: SipHeader[], name: string) => headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value ?? null;

export function createSipTrunk(): SipTrunk {
  const invites: SipInvite[] = [];
  const bridges = new Map<string, BridgeLine[]>();
  return {
    invites,
    bridges,
    recordInvite(leg, address, fromUser, callSid, parentCallSid, auth) {
      const uri = parseSipUri(address);
      if (!uri) return null;
      const own = new Set([SIM_DISPLAY_NAME_HEADER.toLowerCase(), SIM_SEND_SDP_HEADER.toLowerCase()]);
      const invite: SipInvite = {
        leg,
        call_sid: callSid,
        parent_call_sid: parentCallSid,
        request_uri: address.split('?')[0]!,
        user: uri.user,
        host: uri.host,
        transport: uri.params.transport ?? 'udp',
        from_user: fromUser,
        from_display_name: headerValue(uri.headers, SIM_DISPLAY_NAME_HEADER),
        p_asserted_identity: headerValue(uri.headers, 'P-Asserted-Identity'),
        remote_party_id: headerValue(uri.headers, 'Remote-Party-ID'),
        answer_mode: headerValue(uri.headers, 'Answer-Mode'),
        call_info: headerValue(uri.headers, 'Call-Info'),
        alert_info: headerValue(uri.headers, 'Alert-Info'),
        sdp: headerValue(uri.headers, SIM_SEND_SDP_HEADER) !== 'false',
        auth_username: auth?.username ?? null,
        auth_password_present: auth?.passwordPresent ?? false,
        headers: uri.headers.filter((h) => !own.has(h.name.toLowerCase())),
        at: new Date().toISOString(),
      };
      invites.push(invite);
      return invite;
    },
  };
}

/** The trunk's control API: GET /_sim/sip/invites (?call_sid=, ?parent_call_sid=, ?user=), GET /_sim/sip/bridges/:sid. */
export function mountSipTrunk(app: Express, trunk: SipTrunk): void {
  app.get('/_sim/sip/invites', (req, res) => {
    const q = req.query as Record<string, unknown>;
    const match = (field: 'call_sid' | 'parent_call_sid' | 'user') => (i: SipInvite) => typeof q[field] !== 'string' || i[field] === q[field];
    res.json({ invites: trunk.invites.filter(match('call_sid')).filter(match('parent_call_sid')).filter(match('user')) });
  });
  app.get('/_sim/sip/bridges/:sid', (req, res) => {
    const lines = trunk.bridges.get(String(req.params.sid));
    if (!lines) return res.status(404).json({ error: 'no bridge on that call' });
    res.json({ lines });
  });
}

/** What the parent (caller's) call gives the bridged leg. */
export interface BridgeParent {
  sid: string;
  accountSid: string;
  from: string;
  callerScript: CalleeScript;
  speechDelayMs: number;
  /** True once the caller's side has hung up (the REST API, the script, or the carrier). */
  hungUp(): boolean;
  /** Waits up to `ms`, returning early when the caller hangs up. */
  pause(ms: number): Promise<void>;
  post(url: string, params: Record<string, string>): Promise<unknown>;
}

/** The `<Dial>` as the TwiML reader read it. */
export type BridgeDial = DialBridge;

export interface BridgeOutcome {
  /** Twilio's DialCallStatus. */
  status: 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';
  callSid: string;
  durationSeconds: number;
  /** Who ended a connected bridge. */
  endedBy: 'caller' | 'callee' | null;
}

/**
 * Plays the callee of a bridge: rings per its script, reports its statuses to the noun's
 * statusCallback (with ParentCallSid, as Twilio does), and, once answered, lets both sides speak
 * their lines in turn until one runs out of lines, a hang-up timer fires, or the caller drops.
 */
export async function runBridgedLeg(trunk: SipTrunk, parent: BridgeParent, dial: BridgeDial, script: CalleeScript): Promise<BridgeOutcome> {
  const sid = `CA${randomBytes(16).toString('hex')}`;
  const fromUser = dial.callerId ?? parent.from;
  trunk.recordInvite('dial', dial.address, fromUser, sid, parent.sid, { username: dial.authUsername, passwordPresent: dial.authPasswordPresent });
  const uri = parseSipUri(dial.address);
  const to = uri ? dial.address.split('?')[0]! : dial.address;
  let seq = 0;
  let answeredAt: number | null = null;
  const report = async (status: string, event: string) => {
    if (!dial.statusCallback || !dial.statusCallbackEvents.includes(event)) return;
    const duration = answeredAt === null ? 0 : Math.round((Date.now() - answeredAt) / 1000);
    await parent.post(dial.statusCallback, {
      CallSid: sid, ParentCallSid: parent.sid, AccountSid: parent.accountSid, From: fromUser, To: to, CallStatus: status,
      Direction: 'outbound-dial', ApiVersion: '2010-04-01', CallbackSource: 'call-progress-events', SequenceNumber: String(seq++),
      ...(event === 'completed' ? { CallDuration: String(duration) } : {}),
    });
  };
  const end = async (status: BridgeOutcome['status'], endedBy: BridgeOutcome['endedBy']): Promise<BridgeOutcome> => {
    const durationSeconds = answeredAt === null ? 0 : Math.round((Date.now() - answeredAt) / 1000);
    await report(status, 'completed');
    return { status, callSid: sid, durationSeconds, endedBy };
  };

  await report('initiated', 'initiated');
  await report('ringing', 'ringing');
  const ring = Math.min(script.ringMs, dial.timeoutSeconds * 1000);
  if (ring > 0) await parent.pause(ring);
  if (parent.hungUp()) return end('canceled', null);
  if (script.answer === 'busy' || script.answer === 'failed' || script.answer === 'no-answer') return end(script.answer, null);

  answeredAt = Date.now();
  await report('in-progress', 'answered');
  const lines: BridgeLine[] = [];
  trunk.bridges.set(parent.sid, lines);
  const deadline = (ms: number | undefined) => (ms === undefined ? Infinity : Date.now() + ms);
  // The caller's own hang-up timer runs in its call (from its answer); the callee's runs from this answer.
  const calleeHangsUpAt = deadline(script.hangUpAfterMs);
  const said = { caller: 0, callee: 0 };
  for (let turn = 0; ; turn++) {
    const speaker = turn % 2 === 0 ? 'caller' : 'callee';
    const s = speaker === 'caller' ? parent.callerScript : script;
    const wait = Math.min(s.speechDelayMs ?? parent.speechDelayMs, Math.max(0, calleeHangsUpAt - Date.now()));
    await parent.pause(wait);
    if (parent.hungUp()) return end('completed', 'caller');
    if (Date.now() >= calleeHangsUpAt) return end('completed', 'callee');
    const text = s.utterances[said[speaker]++];
    if (text === undefined) return end('completed', speaker);
    if (text) lines.push({ speaker, text, at: new Date().toISOString() });
    // Yield, so a hang-up requested through the REST API is seen between lines.
    if (wait === 0) await sleep(1);
  }
}
