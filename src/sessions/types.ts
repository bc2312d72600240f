/**
 * Bridged call sessions (seed 001, POST /sessions): a caller and a callee joined through a named
 * SIP trunk. The request, its limits and the stored record; the workflow's vocabulary is in
 * src/workflow-api/session.ts.
 */
import type { SealedSipAuth } from '../trunks/credentials';

/** The seed's limits, one place for the schemas, the docs and the tests. */
export const SESSION_LIMITS = {
  caller: 256,
  callerDisplayName: 1024,
  callee: 256,
  trunkMin: 1,
  trunkMax: 64,
  rewriteMin: 1,
  rewriteMax: 16,
  userData: 128,
  target: 128,
} as const;

/** RFC 5373 auto-answer headers the seed lets a session add to an INVITE. */
export const ADDITIONAL_HEADERS = [
  'ANSWER_MODE',
  'CALL_INFO',
  'ALERT_INFO_AUTO_ANSWER_DELAY0',
  'ALERT_INFO_AUTO_ANSWER',
  'ALERT_INFO_INTERCOM',
] as const;
export type AdditionalHeader = (typeof ADDITIONAL_HEADERS)[number];

export const HEADER_DIRECTIONS = ['CALLER', 'CALLEE', 'ALL'] as const;
export type HeaderDirection = (typeof HEADER_DIRECTIONS)[number];

/** Where a session is: four live states (ringing, answered, bridged, ending), and `ended` once both legs are down. */
export const SESSION_STATES = ['ringing', 'answered', 'bridged', 'ending', 'ended'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

export type SessionLeg = 'caller' | 'callee';

/** A POST /sessions body once validated (phone-like values kept as sent: a trunk may route extensions). */
export interface SessionRequest {
  caller: string;
  caller_display_name?: string | null;
  callee: string;
  send_sdp: boolean;
  trunk?: string | null;
  rewrite_from?: string | null;
  rewrite_pai?: string | null;
  rewrite_rpi?: string | null;
  user_data?: string | null;
  target?: string | null;
  target_instance_id?: string | null;
  target_extension_number?: string | null;
  additional_header?: AdditionalHeader | null;
  header_direction?: HeaderDirection | null;
}

/** Why a session ended, in the words the record and the API use. */
export type SessionEndReason =
  | 'completed'
  | 'caller_no_answer'
  | 'caller_busy'
  | 'caller_failed'
  /** The caller hung up while the callee was still ringing. */
  | 'caller_hung_up'
  | 'callee_no_answer'
  | 'callee_busy'
  | 'callee_failed'
  | 'max_duration'
  | 'error';

/** One leg as the record keeps it. */
export interface SessionLegDoc {
  provider_call_sid: string | null;
  status: string | null;
  /** Set just before the leg is dialled: a retried dial looks for a leg it may already have placed. */
  dialing_since?: Date | null;
}

/** The `bridge_sessions` collection: one per POST /sessions, written at each transition. */
export interface BridgeSessionDoc {
  _id: string;
  org_id: string;
  workflow_id: string;
  caller: string;
  caller_display_name: string | null;
  callee: string;
  send_sdp: boolean;
  trunk: string | null;
  trunk_id: string | null;
  /** The trunk's digest credentials for the caller's REST dial, the password sealed (never in clear); absent without them. */
  caller_sip_auth?: SealedSipAuth | null;
  /** The trunk's carrier account (the organisation's own, by its id in `accounts`) the legs are placed with; null: the server's. */
  account_id?: string | null;
  rewrite_from: string | null;
  rewrite_pai: string | null;
  rewrite_rpi: string | null;
  user_data: string | null;
  target: string | null;
  target_instance_id: string | null;
  target_extension_number: string | null;
  additional_header: AdditionalHeader | null;
  /** As applied: null when no additional_header was asked for (the seed: ignored then). */
  header_direction: HeaderDirection | null;
  state: SessionState;
  end_reason: SessionEndReason | null;
  caller_leg: SessionLegDoc;
  callee_leg: SessionLegDoc;
  created_at: Date;
  answered_at: Date | null;
  bridged_at: Date | null;
  ended_at: Date | null;
  simulated: boolean;
  /** Carrier refusals the session went on without (a hang-up of a line already down). */
  errors?: string[];
  /** The states the session went through, in order, with when (ISO 8601). */
  transitions?: Array<{ state: SessionState; at: string }>;
}
