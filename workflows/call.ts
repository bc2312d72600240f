import { allHandlersFinished, condition, patched, proxyLocalActivities, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CallWorkflowInput, CallWorkflowResult } from '../src/workflow-api/call';
import { SA } from '../src/workflow-api/search-attributes';
import { localRecords, records } from './activity-proxies';
import { batchRowReport } from './batch-row-report';
import { failureMessage, runAttempt, runInbound, variablesInDial } from './call-attempt';
import { callOutcome, type CallOutcome } from './call-outcome';
import { CallSession } from './call-session';
import { currentEngine, decideEngineVersion, type EngineVersion } from './engine-version';
import { loadDynamicData } from './dynamic-data';
import { pathwayChatWorkflow } from './pathway-chat';
import { runPostCall } from './post-call';
import { retryableOutcome, shouldRetry } from './retry-policy';

interface AttemptRecord {
  attempt: number;
  status: string;
  answered_by: string | null;
  provider_call_sid: string | null;
  ended_at: string;
}

function attemptRecord(session: CallSession, outcome: CallOutcome): AttemptRecord {
  return {
    attempt: session.attempt.number,
    status: retryableOutcome(outcome) ?? outcome.status,
    answered_by: outcome.answeredBy,
    provider_call_sid: session.attempt.providerCallSid,
    ended_at: new Date().toISOString(),
  };
}

/**
 * An incoming caller is on the line, waiting for the first word: what runs before it (the system
 * variables, the caller's context) runs as local activities in the worker that holds the workflow
 * task, with no dispatch through the server. Reads only: its failures are outcomes, never retries
 * that hold a caller on the line.
 */
const beforeFirstWord = proxyLocalActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  localRetryThreshold: '5 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '2 seconds', maximumAttempts: 3 },
});

/**
 * What the caller brought (SIP headers, an inbound session, a lookup; src/inbound/context.ts):
 * variables under the system ones, the voice if it names one, and its events. If it cannot be
 * resolved, the call goes on without it, as with dynamic_data.
 */
async function useInboundContext(session: CallSession, run: CallWorkflowInput): Promise<void> {
  try {
    const context = await beforeFirstWord.resolveInboundContext({
      ...session.ref,
      number: run.to,
      from: run.from,
      sipHeaders: run.inbound?.sipHeaders ?? {},
      variables: session.conversation.variables,
    });
    session.conversation.useVariables(context.variables);
    if (context.voice) run.speech = { ...run.speech, voice: context.voice };
  } catch (err) {
    session.event('error', `The caller's context could not be resolved (${failureMessage(err)}); the call goes on without it`);
  }
}

/** Marks the calls whose dial activity also records them as `allocated`. */
export const ALLOCATED_IN_DIAL_PATCH = 'allocated-in-dial';

/** Marks the dialled calls whose variables are resolved by a local activity (inbound calls always were). */
export const LOCAL_VARIABLES_PATCH = 'local-variables';

/**
 * Which of the call's changes a run has. callWorkflow asks its history at the same points as ever
 * (each patch costs a history a marker and a search-attribute upsert); phoneCallWorkflow, which never
 * ran without them, has them all and asks nothing.
 */
interface CallVersions {
  engine(input: CallWorkflowInput): EngineVersion;
  localVariables(): boolean;
  allocatedInDial(): boolean;
}

const ASKED_OF_HISTORY: CallVersions = {
  engine: decideEngineVersion,
  localVariables: () => patched(LOCAL_VARIABLES_PATCH),
  allocatedInDial: () => patched(ALLOCATED_IN_DIAL_PATCH),
};

const ALL_ON: CallVersions = { engine: currentEngine, localVariables: () => true, allocatedInDial: () => true };

/**
 * `call-<call_id>`: one phone call (dialled, with its retries, or incoming), from acceptance to its
 * final record. The type of every call started now.
 */
export async function phoneCallWorkflow(input: CallWorkflowInput): Promise<CallWorkflowResult> {
  return runCall(input, ALL_ON);
}

/**
 * The type calls started under before phoneCallWorkflow: the same call, with the changes made since
 * it first ran decided by patches, so that its histories replay. Only a batch run that started
 * before phoneCallWorkflow existed still starts it (workflows/batch.ts).
 */
export async function callWorkflow(input: CallWorkflowInput): Promise<CallWorkflowResult> {
  // Chats started before chatWorkflow existed ran here; they keep replaying this branch. New chats are chatWorkflow.
  if (input.channel === 'chat') return pathwayChatWorkflow(input);
  return runCall(input, ASKED_OF_HISTORY);
}

async function runCall(input: CallWorkflowInput, versions: CallVersions): Promise<CallWorkflowResult> {
  // An incoming call's caller context may choose the voice before the first word: the session reads this copy.
  const run: CallWorkflowInput = input.inbound ? { ...input } : input;
  const session = new CallSession(run, versions.engine(input));
  session.registerHandlers();
  const reportToBatch = batchRowReport(input.batchRow);

  // Scheduled start: a durable sleep that a stop can cut short.
  if (input.startTime) {
    const delayMs = Date.parse(input.startTime) - Date.now();
    if (delayMs > 0) await condition(() => session.stopReason !== null, delayMs);
  }

  const attempts: AttemptRecord[] = [];
  let outcome: CallOutcome = callOutcome(session.attempt, session.stopReason);
  if (session.stopReason === null) {
    // Resolved by the dial itself (one local activity instead of two), or here, before anything else.
    if (!variablesInDial(input)) {
      session.conversation.useVariables(
        await (input.inbound ? beforeFirstWord : versions.localVariables() ? localRecords : records).resolveVariables({
          ...session.ref,
          to: input.to,
          from: input.from,
          timezone: input.timezone,
          requestData: input.requestData,
          ...(input.inbound ? { inbound: true } : {}),
        }),
      );
    }
    if (input.inbound) await useInboundContext(session, run);
    if (input.dynamicData?.length) await loadDynamicData(session.conversation, input);
    if (input.inbound) {
      // Already on the line: no dial and no retry; the rest is the outbound call's.
      session.variablesReady();
      await runInbound(session, run);
      outcome = callOutcome(session.attempt, session.stopReason);
      attempts.push(attemptRecord(session, outcome));
    }
    while (!input.inbound) {
      session.setStatus('allocated');
      const dialling = `Dialling (attempt ${session.attempt.number + 1})`;
      // The dial records `allocated` itself; older histories wrote it in an activity of its own.
      const allocatedInDial = versions.allocatedInDial();
      if (!allocatedInDial) {
        await records.updateCall({ ...session.ref, set: { queue_status: 'allocated' }, events: [{ level: 'call', category: 'info', message: dialling }] });
      }
      await runAttempt(session, input, allocatedInDial ? dialling : undefined, variablesInDial(input) && !session.hasVariables);
      outcome = callOutcome(session.attempt, session.stopReason);
      attempts.push(attemptRecord(session, outcome));
      if (session.stopReason !== null || !shouldRetry(input.retry, outcome, session.attempt.number)) break;
      session.setStatus('queued');
      await records.updateCall({
        ...session.ref,
        set: { queue_status: 'queued', attempts, provider_call_sid: null },
        events: [
          {
            level: 'queue',
            category: 'info',
            message: `Attempt ${session.attempt.number}: ${retryableOutcome(outcome)}; retrying in ${input.retry.waitSeconds} s`,
          },
        ],
      });
      await condition(() => session.stopReason !== null, input.retry.waitSeconds * 1000);
      if (session.stopReason !== null) break;
    }
  }

  // The final record, once every turn handler and write-behind has finished.
  await condition(allHandlersFinished);
  await session.conversation.settleWork();
  const writeFailures = await session.conversation.settleWrites();
  const a = session.attempt;
  const endedAt = a.endedAt ?? new Date();
  // Our clock for the length (the carrier rounds to whole seconds); the carrier's for the billed seconds.
  const measuredSeconds = a.answeredAt ? (endedAt.getTime() - a.answeredAt.getTime()) / 1000 : 0;
  const billedSeconds = a.durationSeconds ?? Math.round(measuredSeconds);
  const failedWrites = writeFailures.length > 0 && outcome.queueStatus === 'complete';
  let queueStatus = failedWrites ? 'complete_error' : outcome.queueStatus;
  let errorMessage = failedWrites ? 'Some call records could not be written.' : outcome.errorMessage;
  session.setStatus(queueStatus);
  if (outcome.answeredBy) upsertSearchAttributes([{ key: SA.AnsweredBy, value: outcome.answeredBy }]);
  upsertMemo({
    summary: `${outcome.status}; ${attempts.length} attempt(s); ${session.turn} turns; ended by ${outcome.callEndedBy ?? 'nobody'}`,
  });
  await session.conversation.finalRecord(
    {
      queue_status: queueStatus,
      status: outcome.status,
      completed: true,
      answered_by: outcome.answeredBy,
      call_ended_by: outcome.callEndedBy,
      error_message: errorMessage,
      ended_at: endedAt,
      call_length: Math.round((measuredSeconds / 60) * 10_000) / 10_000,
      corrected_duration: String(billedSeconds),
      transferred_to: a.transferredTo,
      recording_url: a.recording?.url ?? null,
      attempts,
    },
    [
      {
        level: 'call',
        category: queueStatus === 'complete' ? 'info' : 'error',
        message: `Call ended: ${outcome.status}${outcome.callEndedBy ? ` by ${outcome.callEndedBy}` : ''}`,
      },
    ],
  );

  // After the call: summary, analysis, webhook. A failure here never loses the call; it becomes complete_error.
  const post = await runPostCall(input, { queueStatus, status: outcome.status });
  if (post.errorMessage && queueStatus === 'complete') {
    queueStatus = 'complete_error';
    errorMessage = post.errorMessage;
    session.setStatus(queueStatus);
    await records.updateCall({
      ...session.ref,
      set: { queue_status: queueStatus, error_message: errorMessage },
      events: [{ level: 'call', category: 'error', message: 'Post-call work failed; the call is complete_error' }],
    });
  }
  await reportToBatch({ callId: input.callId, queueStatus, status: outcome.status, errorMessage });
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
