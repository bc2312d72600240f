import { ActivityFailure, ApplicationFailure, condition, TimeoutFailure } from '@temporalio/workflow';
import type { CallWorkflowInput } from '../src/workflow-api/call';
import { carrier, localCarrier } from './activity-proxies';
import type { CallSession } from './call-session';

const HANGUP_GRACE_MS = 30_000;
/** Slack over the carrier's own ring timeout before we give up on hearing from it. */
const RING_SLACK_MS = 30_000;
/** How long a recording may trail the end of the call before the record is written without it. */
const RECORDING_GRACE_MS = 30_000;
/** How long an incoming call may wait for the voice webhook's answer (the carrier gives up after ~15 s). */
const ANSWER_SLACK_MS = 60_000;

/**
 * A failed activity. A normal activity's failure arrives as an ActivityFailure around its cause; a
 * local activity's (the dial with `localDial`) as the cause itself, unwrapped: the activity's
 * ApplicationFailure, or a TimeoutFailure.
 */
function activityFailed(err: unknown): boolean {
  return err instanceof ActivityFailure || err instanceof ApplicationFailure || err instanceof TimeoutFailure;
}

export function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : 'unknown error';
}

/** A dialled call whose dial resolves its variables (`variablesInDial`); others resolve them before. */
export const variablesInDial = (input: CallWorkflowInput): boolean => input.variablesInDial === true && !input.inbound;

/**
 * One dial: ring, converse, react to voicemail, hang up. Leaves what happened in `session.attempt`.
 * With `resolveVariables`, the dial also resolves the call's variables, and the answer waits for them.
 */
export async function runAttempt(session: CallSession, input: CallWorkflowInput, allocatedEvent?: string, resolveVariables = false): Promise<void> {
  const a = session.newAttempt();
  try {
    const placed = await (input.localDial ? localCarrier : carrier).placeCall({
      ...session.ref,
      attempt: a.number,
      to: input.to,
      from: input.from,
      webhookBaseUrl: input.webhookBaseUrl,
      timeoutSeconds: input.ringTimeoutSeconds,
      record: input.record,
      machineDetection: input.voicemail.detect,
      encryptedKey: input.encryptedKey,
      ...(allocatedEvent ? { allocatedEvent } : {}),
      ...(resolveVariables ? { variables: { timezone: input.timezone, requestData: input.requestData } } : {}),
    });
    a.providerCallSid ??= placed.providerCallSid;
    if (placed.variables) {
      session.conversation.useVariables(placed.variables);
      session.variablesReady();
    }
  } catch (err) {
    if (!activityFailed(err)) throw err;
    a.dialError = failureMessage(err);
    return;
  }

  const settled = () => a.answered || a.over || session.stopReason !== null;
  if (!(await condition(settled, input.ringTimeoutSeconds * 1000 + RING_SLACK_MS))) session.stopReason = 'ring timeout';
  await converseUntilLineDown(session, input);
}

/**
 * An incoming call: the caller is already on the line (the attempt was opened with their call's
 * SID), so there is no dial, no ringing and no retry. The carrier's voice webhook answers it with
 * the first reply (callAnswered); from then on it is the same conversation as an outbound call's.
 */
export async function runInbound(session: CallSession, input: CallWorkflowInput): Promise<void> {
  const a = session.attempt;
  const settled = () => a.answered || a.over || session.stopReason !== null;
  if (!(await condition(settled, ANSWER_SLACK_MS))) session.stopReason = 'not answered';
  // Nothing dialled this leg with `record`. The API's answer starts the recording (<Start><Recording>),
  // and the call waits for it as a dialled call does; calls that arrived before that ask the carrier here.
  const recording =
    input.record && a.answered && !a.over && a.providerCallSid && !input.inbound?.answerStartsRecording
      ? startInboundRecording(session, input, a.providerCallSid)
      : null;
  await converseUntilLineDown(session, input, recording);
}

/** Records an incoming call; false (with an error event) when the carrier would not, so nobody waits for a recording. */
async function startInboundRecording(session: CallSession, input: CallWorkflowInput, providerCallSid: string): Promise<boolean> {
  try {
    await carrier.startRecording({ orgId: input.orgId, callId: input.callId, providerCallSid, webhookBaseUrl: input.webhookBaseUrl });
    return true;
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    session.event('error', `Recording could not be started: ${failureMessage(err)}; the call is not recorded`);
    return false;
  }
}

/**
 * After the ringing: converse until the line goes down or a bound ends it, hang up, and wait for the
 * recording (an incoming call's only if `recording`, its start, succeeded).
 */
async function converseUntilLineDown(session: CallSession, input: CallWorkflowInput, recording: Promise<boolean> | null = null): Promise<void> {
  const a = session.attempt;
  if (a.answered && !a.over && session.stopReason === null) {
    const voicemailToHandle = () => a.answeredBy === 'voicemail' && input.voicemail.action !== 'ignore';
    const ended = await condition(
      () => a.over || session.stopReason !== null || voicemailToHandle(),
      input.maxDurationMinutes * 60_000,
    );
    if (!ended) session.stopReason = 'max_duration';
    else if (!a.over && session.stopReason === null && voicemailToHandle()) await handleVoicemail(session, input);
  }

  if (!a.over && a.providerCallSid) {
    try {
      await carrier.hangUpCall({ orgId: input.orgId, providerCallSid: a.providerCallSid });
    } catch (err) {
      // The line may already be down (a carrier refuses to hang up a finished call); the record says so.
      if (!(err instanceof ActivityFailure)) throw err;
      session.event('error', `Hang-up failed: ${failureMessage(err)}`);
    }
    await condition(() => a.over, HANGUP_GRACE_MS);
  }
  const recorded = recording ? await recording : input.record;
  if (recorded && a.answered && !(await condition(() => a.recording !== null, RECORDING_GRACE_MS)) && input.inbound?.answerStartsRecording) {
    // The caller was gone before the carrier ran the answer that starts it: say so rather than leave it unexplained.
    session.event('error', `No recording arrived within ${RECORDING_GRACE_MS / 1000} s of the call's end; the call is not recorded`);
  }
}

/** A machine answered: leave the message (after the beep the detection waited for) or hang up. */
async function handleVoicemail(session: CallSession, input: CallWorkflowInput): Promise<void> {
  const a = session.attempt;
  a.endedByAgent = true;
  if (input.voicemail.action === 'leave_message' && input.voicemail.message && a.providerCallSid) {
    const message = input.voicemail.message;
    await carrier.speakAndHangUp({ orgId: input.orgId, providerCallSid: a.providerCallSid, text: message, speech: input.speech });
    a.voicemailLeft = true;
    session.sayOutsideTurn('assistant', message);
    session.event('info', 'Voicemail detected: message left');
    await condition(() => a.over, HANGUP_GRACE_MS);
  } else {
    session.event('info', 'Voicemail detected: hanging up');
  }
}
