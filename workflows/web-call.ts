import { allHandlersFinished, condition, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import type { CallEndedBy, QueueStatus } from '../src/db/types';
import type { CallWorkflowInput, CallWorkflowResult } from '../src/workflow-api/call';
import { SA } from '../src/workflow-api/search-attributes';
import { DEFAULT_WEB_RESUME_GRACE_MS, type WebEndReason } from '../src/workflow-api/web-call';
import type { UpdateCallInput } from '../activities/call-records';
import { localRecords, records } from './activity-proxies';
import { loadDynamicData } from './dynamic-data';
import { recordLocally } from './local-record';
import { runPostCall } from './post-call';
import { WebSession } from './web-session';

const ENDED_BY: Record<WebEndReason, CallEndedBy> = {
  visitor_ended: 'USER',
  disconnected: 'USER',
  agent_ended: 'ASSISTANT',
  max_duration: 'ASSISTANT',
  stopped: 'ASSISTANT',
};

function setStatus(queueStatus: QueueStatus): void {
  upsertSearchAttributes([{ key: SA.CallStatus, value: queueStatus }]);
}

/** Waits until something ends the conversation: the agent, the visitor, a stop, max_duration, or a drop not resumed in time. */
async function untilOver(session: WebSession, deadline: number, graceMs: number): Promise<WebEndReason> {
  for (;;) {
    if (session.agentEnded) return 'agent_ended';
    if (session.visitorEnded) return 'visitor_ended';
    if (session.stopReason !== null) return 'stopped';
    const left = deadline - Date.now();
    if (left <= 0) return 'max_duration';
    if (session.connected) {
      await condition(() => session.over || !session.connected, left);
      continue;
    }
    const graceEnds = session.disconnectedAt + graceMs;
    const back = await condition(() => session.over || session.connected, Math.max(0, Math.min(graceEnds, deadline) - Date.now()));
    if (!back && Date.now() >= graceEnds && Date.now() < deadline) return 'disconnected';
  }
}

/**
 * `call-<call_id>` of type webCallWorkflow: a visitor's browser session with an agent, on the `web`
 * channel of the one conversation engine. The gateway (api/web-channel) relays the words: each
 * message is an update that answers with everything the agent said. The call ends when the
 * visitor hangs up, the agent ends it, max_duration passes, or a dropped socket is not resumed
 * within the grace period; then the summary, analysis and webhook run as after any call.
 */
export async function webCallWorkflow(input: CallWorkflowInput): Promise<CallWorkflowResult & { endReason: WebEndReason }> {
  const graceMs = input.web?.resumeGraceMs ?? DEFAULT_WEB_RESUME_GRACE_MS;
  const session = new WebSession(input);
  const { conversation } = session;
  const ref = conversation.ref;
  session.registerHandlers();

  // Sessions started since `localStart` resolve their variables and write their start in this worker.
  const localStart = input.web?.localStart === true;
  conversation.useVariables(
    await (localStart ? localRecords : records).resolveVariables({ ...ref, to: input.to, from: input.from, timezone: input.timezone, requestData: input.requestData }),
  );
  if (input.dynamicData?.length) await loadDynamicData(conversation, input);
  const startedAt = new Date();
  const deadline = startedAt.getTime() + input.maxDurationMinutes * 60_000;
  setStatus('started');
  const started: UpdateCallInput = {
    ...ref,
    set: { queue_status: 'started', status: 'in-progress', started_at: startedAt, end_at: new Date(deadline) },
    events: [{ level: 'call', category: 'info', message: `Web session started (agent ${input.web?.agentId ?? 'unknown'})` }],
    // The local attempt may still land after its fallback has written: the event is stored once.
    ...(localStart ? { eventKey: 'started' } : {}),
  };
  conversation.writeBehind(localStart ? recordLocally(started) : records.updateCall(started));
  try {
    await session.say(() => conversation.open());
  } catch (err) {
    // The visitor can still type: the agent's first turn failing is recorded, not fatal.
    conversation.note('error', `The opening failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  session.opened = true;

  const reason = await untilOver(session, deadline, graceMs);
  await condition(() => !session.busy);
  const callEndedBy = ENDED_BY[reason];
  session.ending = { callEndedBy, reason };

  await condition(allHandlersFinished);
  await conversation.settleWork();
  const failures = await conversation.settleWrites();
  let queueStatus: QueueStatus = failures.length > 0 ? 'complete_error' : 'complete';
  let errorMessage = failures.length > 0 ? 'Some call records could not be written.' : null;
  const endedAt = new Date();
  setStatus(queueStatus);
  upsertMemo({ summary: `web; ${conversation.turnCount} turns; ${reason}; ended by ${callEndedBy ?? 'nobody'}` });
  await conversation.finalRecord(
    {
      queue_status: queueStatus, status: 'completed', completed: true, ended_at: endedAt, call_ended_by: callEndedBy, error_message: errorMessage,
      call_length: Math.round(((endedAt.getTime() - startedAt.getTime()) / 60_000) * 10_000) / 10_000,
      corrected_duration: String(Math.round((endedAt.getTime() - startedAt.getTime()) / 1000)),
    },
    [{ level: 'call', category: 'info', message: `Web session ended: ${reason}${callEndedBy ? ` by ${callEndedBy}` : ''}` }],
  );

  const post = await runPostCall(input, { queueStatus, status: 'completed' });
  if (post.errorMessage && queueStatus === 'complete') {
    queueStatus = 'complete_error';
    errorMessage = post.errorMessage;
    setStatus(queueStatus);
    await records.updateCall({
      ...ref,
      set: { queue_status: queueStatus, error_message: errorMessage },
      events: [{ level: 'call', category: 'error', message: 'Post-call work failed; the call is complete_error' }],
    });
  }
  return {
    callId: input.callId, queueStatus, status: 'completed', answeredBy: null, callEndedBy,
    turns: conversation.turnCount, errorMessage, endReason: reason,
  };
}
