import { ActivityFailure, allHandlersFinished, ApplicationFailure, condition, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import type { CallWorkflowInput, CallWorkflowResult } from '../src/workflow-api/call';
import { SA } from '../src/workflow-api/search-attributes';
import { carrier, records } from './activity-proxies';
import { callOutcome } from './call-outcome';
import { CallSession } from './call-session';

const HANGUP_GRACE_MS = 30_000;
/** Slack over the carrier's own ring timeout before we give up on hearing from it. */
const RING_SLACK_MS = 30_000;

function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : 'unknown error';
}

/** `call-<call_id>`: one phone call from acceptance to its final record. */
export async function callWorkflow(input: CallWorkflowInput): Promise<CallWorkflowResult> {
  const session = new CallSession(input);
  session.registerHandlers();
  let dialError: string | null = null;

  // 1. Scheduled start: a durable sleep that a stop can cut short.
  if (input.startTime) {
    const delayMs = Date.parse(input.startTime) - Date.now();
    if (delayMs > 0) await condition(() => session.stopReason !== null, delayMs);
  }

  if (session.stopReason === null) {
    // 2. Variables, then 3. dial.
    session.variables = await records.resolveVariables({
      ...session.ref,
      to: input.to,
      from: input.from,
      timezone: input.timezone,
      requestData: input.requestData,
    });
    session.setStatus('allocated');
    await records.updateCall({
      ...session.ref,
      set: { queue_status: 'allocated' },
      events: [{ level: 'call', category: 'info', message: 'Dialling' }],
    });
    try {
      const placed = await carrier.placeCall({
        ...session.ref,
        to: input.to,
        from: input.from,
        webhookBaseUrl: input.webhookBaseUrl,
        timeoutSeconds: input.ringTimeoutSeconds,
        record: input.record,
        machineDetection: false,
        encryptedKey: input.encryptedKey,
      });
      session.providerCallSid ??= placed.providerCallSid;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      dialError = failureMessage(err);
    }
  }

  if (dialError === null && session.stopReason === null) {
    // 4. Ringing until answered, a final status, a stop or the ring timeout.
    if (!(await condition(() => session.isSettled(), input.ringTimeoutSeconds * 1000 + RING_SLACK_MS))) {
      session.stopReason = 'ring timeout';
    }
    // 5. Conversation until the line drops, a stop, or max_duration.
    if (session.queueStatus === 'started' && !session.isOver()) {
      if (!(await condition(() => session.isOver(), input.maxDurationMinutes * 60_000))) {
        session.stopReason = 'max_duration';
      }
    }
    if (session.terminal === null && session.providerCallSid) {
      try {
        await carrier.hangUpCall({ providerCallSid: session.providerCallSid });
      } catch (err) {
        // The line may already be down (the carrier refuses to hang up a finished call); the record says so.
        if (!(err instanceof ActivityFailure)) throw err;
        session.writeBehind(
          records.updateCall({ ...session.ref, set: {}, events: [{ level: 'call', category: 'error', message: `Hang-up failed: ${failureMessage(err)}` }] }),
        );
      }
      await condition(() => session.terminal !== null, HANGUP_GRACE_MS);
    }
  }

  // 6. Final record, once every turn handler and write-behind has finished.
  await condition(allHandlersFinished);
  const writeFailures = await session.settleWrites();
  const outcome = callOutcome({
    answered: session.answeredAt !== null,
    terminal: session.terminal,
    stopReason: session.stopReason,
    endedByAgent: session.endedByAgent,
    answeredBy: session.answeredBy,
    dialError,
  });
  const endedAt = session.endedAt ?? new Date();
  // Our clock for the length (the carrier rounds to whole seconds); the carrier's for the billed seconds.
  const measuredSeconds = session.answeredAt ? (endedAt.getTime() - session.answeredAt.getTime()) / 1000 : 0;
  const billedSeconds = session.durationSeconds ?? Math.round(measuredSeconds);
  const queueStatus = writeFailures.length > 0 && outcome.queueStatus === 'complete' ? 'complete_error' : outcome.queueStatus;
  const errorMessage = writeFailures.length > 0 ? 'Some call records could not be written.' : outcome.errorMessage;
  session.setStatus(queueStatus);
  if (outcome.answeredBy) upsertSearchAttributes([{ key: SA.AnsweredBy, value: outcome.answeredBy }]);
  upsertMemo({ summary: `${outcome.status}; ${session.turn} turns; ended by ${outcome.callEndedBy ?? 'nobody'}` });
  await records.finalizeCall({
    ...session.ref,
    set: {
      queue_status: queueStatus,
      status: outcome.status,
      completed: true,
      answered_by: outcome.answeredBy,
      call_ended_by: outcome.callEndedBy,
      error_message: errorMessage,
      ended_at: endedAt,
      call_length: Math.round((measuredSeconds / 60) * 10_000) / 10_000,
      corrected_duration: String(billedSeconds),
    },
    events: [
      {
        level: 'call',
        category: queueStatus === 'complete' ? 'info' : 'error',
        message: `Call ended: ${outcome.status}${outcome.callEndedBy ? ` by ${outcome.callEndedBy}` : ''}`,
      },
    ],
  });
  return {
    callId: input.callId,
    queueStatus,
    status: outcome.status,
    answeredBy: outcome.answeredBy,
    callEndedBy: outcome.callEndedBy,
    turns: session.turn,
    errorMessage,
  };
}
