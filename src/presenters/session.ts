import { z } from 'zod';
import type { BridgeSessionDoc } from '../sessions/types';
import { ADDITIONAL_HEADERS, HEADER_DIRECTIONS, SESSION_STATES } from '../sessions/types';
import type { SessionLiveState } from '../workflow-api/session';

/**
 * One live call session as GET /sessions lists it: a bridged session (`kind: bridge`) or an AI
 * call or chat (`kind` is its channel: phone, chat, web, …). `workflow_id` is what operators
 * search for in the Temporal UI.
 */
export const SessionSummarySchema = z.object({
  id: z.string().describe('The session id (a bridged session) or the call_id (an AI call or chat)'),
  kind: z.string().describe('bridge, or the AI call\'s channel: phone, chat, web, …'),
  direction: z.enum(['outbound', 'inbound']).nullable().describe('Phone calls and bridged sessions (outbound); null for chats'),
  caller: z.string().nullable(),
  callee: z.string().nullable(),
  state: z.enum(SESSION_STATES).describe('ringing, answered, bridged (a bridged session whose callee answered), ending, or ended (GET /sessions/{id} only)'),
  started_at: z.string().describe('When the session or call was created, ISO 8601'),
  answered_at: z.string().nullable(),
  trunk: z.string().nullable(),
  user_data: z.string().nullable(),
  workflow_id: z.string().describe('The Temporal workflow ID (session-<id> or call-<call_id>)'),
  call_id: z.string().nullable().describe('An AI call\'s call_id (GET /v1/calls/{call_id}); null for a bridged session'),
});
export type SessionSummary = z.infer<typeof SessionSummarySchema>;

const legSchema = z.object({ provider_call_sid: z.string().nullable(), status: z.string().nullable() });

/** GET /sessions/{id} of a bridged session: the summary, what was asked for, and how each leg went. */
export const SessionDetailSchema = SessionSummarySchema.extend({
  caller_display_name: z.string().nullable(),
  send_sdp: z.boolean(),
  rewrite_from: z.string().nullable(),
  rewrite_pai: z.string().nullable(),
  rewrite_rpi: z.string().nullable(),
  target: z.string().nullable(),
  target_instance_id: z.string().nullable(),
  target_extension_number: z.string().nullable(),
  additional_header: z.enum(ADDITIONAL_HEADERS).nullable(),
  header_direction: z.enum(HEADER_DIRECTIONS).nullable().describe('As applied: null without additional_header (the seed: ignored then)'),
  bridged_at: z.string().nullable(),
  ended_at: z.string().nullable(),
  end_reason: z.string().nullable().describe('completed, caller_no_answer, caller_busy, caller_failed, caller_hung_up, callee_no_answer, callee_busy, callee_failed, max_duration'),
  caller_leg: legSchema,
  callee_leg: legSchema,
  errors: z.array(z.string()),
  transitions: z.array(z.object({ state: z.enum(SESSION_STATES), at: z.string() })).describe('Every state the session entered, in order, with when'),
  simulated: z.boolean().describe('Placed through the carrier simulator'),
});
export type SessionDetail = z.infer<typeof SessionDetailSchema>;

const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

/** A bridged session: the stored record, with the workflow's live state over it while it runs. */
export function bridgeSessionDetail(doc: BridgeSessionDoc, live: SessionLiveState | null): SessionDetail {
  const leg = (stored: BridgeSessionDoc['caller_leg'], l: SessionLiveState['callerLeg'] | undefined) => ({
    provider_call_sid: l?.providerCallSid ?? stored.provider_call_sid ?? null,
    status: l?.status ?? stored.status ?? null,
  });
  return {
    id: doc._id,
    kind: 'bridge',
    direction: 'outbound',
    caller: doc.caller,
    callee: doc.callee,
    state: live?.state ?? doc.state,
    started_at: doc.created_at.toISOString(),
    answered_at: live?.answeredAt ?? iso(doc.answered_at),
    trunk: doc.trunk,
    user_data: doc.user_data,
    workflow_id: doc.workflow_id,
    call_id: null,
    caller_display_name: doc.caller_display_name,
    send_sdp: doc.send_sdp,
    rewrite_from: doc.rewrite_from,
    rewrite_pai: doc.rewrite_pai,
    rewrite_rpi: doc.rewrite_rpi,
    target: doc.target,
    target_instance_id: doc.target_instance_id,
    target_extension_number: doc.target_extension_number,
    additional_header: doc.additional_header,
    header_direction: doc.header_direction,
    bridged_at: live?.bridgedAt ?? iso(doc.bridged_at),
    ended_at: live?.endedAt ?? iso(doc.ended_at),
    end_reason: live?.endReason ?? doc.end_reason,
    caller_leg: leg(doc.caller_leg, live?.callerLeg),
    callee_leg: leg(doc.callee_leg, live?.calleeLeg),
    errors: doc.errors ?? [],
    transitions: live?.transitions ?? doc.transitions ?? [{ state: 'ringing', at: doc.created_at.toISOString() }],
    simulated: doc.simulated,
  };
}

/** A bridged session as listed, from its workflow's live state alone. */
export function bridgeSessionSummary(live: SessionLiveState, workflowId: string): SessionSummary {
  return {
    id: live.sessionId,
    kind: 'bridge',
    direction: 'outbound',
    caller: live.caller,
    callee: live.callee,
    state: live.state,
    started_at: live.createdAt,
    answered_at: live.answeredAt,
    trunk: live.trunk,
    user_data: live.userData,
    workflow_id: workflowId,
    call_id: null,
  };
}
