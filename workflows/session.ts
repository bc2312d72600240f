import { ActivityFailure, allHandlersFinished, condition, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { SessionEndReason, SessionLeg, SessionState } from '../src/sessions/types';
import { TERMINAL_TELEPHONY_STATUSES, type TelephonyStatus } from '../src/workflow-api/call';
import { SA } from '../src/workflow-api/search-attributes';
import {
  sessionCallerAnsweredUpdate,
  sessionLegStatusSignal,
  sessionStateQuery,
  type SessionAnswer,
  type SessionLegState,
  type SessionLiveState,
  type SessionResult,
  type SessionTransition,
  type SessionWorkflowInput,
} from '../src/workflow-api/session';
import { carrier, records } from './activity-proxies';

/** Slack over the carrier's own ring timeout before the session stops waiting for it. */
const RING_SLACK_MS = 30_000;
/** How long a leg may take to report its end after a hang-up. */
const HANGUP_GRACE_MS = 30_000;
/** After the callee's leg ends, the API answers the `<Dial>` action with `<Hangup>`: the caller's leg follows on its own. */
const CALLER_FOLLOWS_MS = 5_000;

const isOver = (leg: SessionLegState) => leg.status !== null && TERMINAL_TELEPHONY_STATUSES.includes(leg.status);

function legEndReason(leg: SessionLeg, status: TelephonyStatus | null): SessionEndReason {
  if (status === 'busy') return `${leg}_busy`;
  if (status === 'failed') return `${leg}_failed`;
  return `${leg}_no_answer`;
}

/**
 * `session-<id>`: a bridged call session (seed 001, POST /sessions). Rings the caller; when the
 * caller answers, the carrier dials the callee through the trunk with the planned headers (the
 * answer is an update, so the TwiML is decided here once); when either hangs up, the other leg is
 * brought down. The record is written at each transition; the live state is a query.
 */
export async function sessionWorkflow(input: SessionWorkflowInput): Promise<SessionResult> {
  const ref = { orgId: input.orgId, sessionId: input.sessionId };
  const legs: Record<SessionLeg, SessionLegState> = {
    caller: { providerCallSid: null, status: null },
    callee: { providerCallSid: null, status: null },
  };
  let state: SessionState = 'ringing';
  let endReason: SessionEndReason | null = null;
  /** Carrier refusals the session went on without (a hang-up of a line already down): kept on the record. */
  const problems: string[] = [];
  let callerAnswered = false;
  let calleeAnswered = false;
  const times: { answeredAt: string | null; bridgedAt: string | null; endedAt: string | null } = { answeredAt: null, bridgedAt: null, endedAt: null };

  const transitions: SessionTransition[] = [{ state: 'ringing', at: input.createdAt }];
  const setState = (next: SessionState) => {
    state = next;
    transitions.push({ state: next, at: new Date().toISOString() });
    upsertSearchAttributes([{ key: SA.CallStatus, value: next }]);
  };

  setHandler(sessionStateQuery, (): SessionLiveState => ({
    sessionId: input.sessionId,
    state,
    endReason,
    caller: input.caller,
    callee: input.callee,
    trunk: input.trunk,
    userData: input.userData,
    createdAt: input.createdAt,
    ...times,
    callerLeg: { ...legs.caller },
    calleeLeg: { ...legs.callee },
    transitions: [...transitions],
  }));

  setHandler(sessionLegStatusSignal, ({ leg, providerCallSid, status }) => {
    const l = legs[leg];
    // A final status is never replaced by a late progress callback.
    if (isOver(l)) return;
    if (providerCallSid) l.providerCallSid ??= providerCallSid;
    l.status = status;
    if (leg === 'callee' && status === 'in-progress' && !calleeAnswered) {
      // Bridged as of now, even if the main flow is still busy writing `answered` (a restarted worker, a slow store).
      calleeAnswered = true;
      times.bridgedAt = new Date().toISOString();
      if (state === 'answered') setState('bridged');
    }
  });

  setHandler(
    sessionCallerAnsweredUpdate,
    ({ providerCallSid }): SessionAnswer => {
      legs.caller.providerCallSid ??= providerCallSid;
      if (state !== 'ringing') return { action: 'hangup' };
      callerAnswered = true;
      times.answeredAt = new Date().toISOString();
      setState('answered');
      return { action: 'bridge', callee: input.plan.callee, timeoutSeconds: input.ringTimeoutSeconds, timeLimitSeconds: Math.round(input.maxDurationMinutes * 60) };
    },
    {
      validator: ({ providerCallSid }) => {
        if (legs.caller.providerCallSid !== null && legs.caller.providerCallSid !== providerCallSid) throw new Error('Not this session\'s caller leg.');
      },
    },
  );

  const finish = async (reason: SessionEndReason): Promise<SessionResult> => {
    endReason = reason;
    times.endedAt = new Date().toISOString();
    setState('ended');
    await records.recordSession({ ...ref, set: { transitions, state: 'ended', end_reason: reason, ended_at: times.endedAt, caller_leg: legs.caller, callee_leg: legs.callee, errors: problems } });
    await condition(allHandlersFinished);
    return { state: 'ended', endReason: reason };
  };

  // 1. Ring the caller. The dial is idempotent by session: a retried activity never dials twice.
  try {
    const placed = await carrier.placeSessionLeg({ ...ref, address: input.plan.caller.address, from: input.plan.caller.from, webhookBaseUrl: input.webhookBaseUrl, timeoutSeconds: input.ringTimeoutSeconds });
    legs.caller.providerCallSid ??= placed.providerCallSid;
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    problems.push(`The caller could not be dialled: ${err.cause?.message ?? err.message}`);
    legs.caller.status = 'failed';
    return finish('caller_failed');
  }
  await condition(() => callerAnswered || isOver(legs.caller), input.ringTimeoutSeconds * 1000 + RING_SLACK_MS);
  if (!callerAnswered) {
    if (!isOver(legs.caller)) await hangUp(ref.orgId, legs.caller, problems);
    return finish(legEndReason('caller', legs.caller.status));
  }
  await records.recordSession({ ...ref, set: { transitions, state: 'answered', answered_at: times.answeredAt, caller_leg: legs.caller } });

  // 2. The carrier dials the callee (the answer's TwiML); wait for the callee to pick up or give up.
  await condition(() => calleeAnswered || isOver(legs.callee) || isOver(legs.caller), input.ringTimeoutSeconds * 1000 + RING_SLACK_MS);
  if (calleeAnswered) {
    await records.recordSession({ ...ref, set: { transitions, state: 'bridged', bridged_at: times.bridgedAt, caller_leg: legs.caller, callee_leg: legs.callee } });
    // 3. Talking, until either side hangs up or the session's time is up.
    await condition(() => isOver(legs.callee) || isOver(legs.caller), input.maxDurationMinutes * 60_000);
  }
  const reason: SessionEndReason = !calleeAnswered
    ? isOver(legs.callee) ? legEndReason('callee', legs.callee.status) : isOver(legs.caller) ? 'caller_hung_up' : 'callee_no_answer'
    : isOver(legs.callee) || isOver(legs.caller) ? 'completed' : 'max_duration';

  // 4. One side is down (or time is up): bring the other down.
  setState('ending');
  await records.recordSession({ ...ref, set: { transitions, state: 'ending', caller_leg: legs.caller, callee_leg: legs.callee } });
  if (isOver(legs.callee)) await condition(() => isOver(legs.caller), CALLER_FOLLOWS_MS);
  if (!isOver(legs.caller)) await hangUp(ref.orgId, legs.caller, problems);
  await condition(() => isOver(legs.caller) && (!calleeAnswered || isOver(legs.callee)), HANGUP_GRACE_MS);
  return finish(reason);
}

/** Hangs up a leg; a carrier refusal (the line already down) does not fail the session, and is kept on its record. */
async function hangUp(orgId: string, leg: SessionLegState, problems: string[]): Promise<void> {
  if (!leg.providerCallSid) return;
  try {
    await carrier.hangUpSessionLeg({ orgId, providerCallSid: leg.providerCallSid });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    problems.push(`Hang-up failed: ${err.cause?.message ?? err.message}`);
  }
}
