import { WorkflowNotFoundError } from '@temporalio/client';
import type { CallDoc, TranscriptDoc } from '../../src/db/types';
import { callStateQuery, type CallLiveState } from '../../src/workflow-api/call';
import type { ApiDeps } from '../deps';

/** A live call's read must not hang on a busy worker: past this the stored record answers alone. */
const LIVE_QUERY_TIMEOUT_MS = 2_000;

/**
 * A live call's truth is its workflow (DESIGN §8): the read model is written at transitions and
 * turn records in batches, so a read of a call that has not completed asks the workflow for its
 * state. Null when the call is over, or the workflow cannot answer in time (the stored record then
 * stands alone, as it would for a closed call).
 */
export async function liveCallState(deps: ApiDeps, call: CallDoc): Promise<CallLiveState | null> {
  if (call.completed) return null;
  try {
    const handle = deps.temporal.workflow.getHandle(call.workflow_id);
    return await deps.temporal.withAbortSignal(AbortSignal.timeout(LIVE_QUERY_TIMEOUT_MS), () => handle.query(callStateQuery));
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) deps.logger.warn({ err, callId: call._id }, 'live call state unavailable; answering from the stored record');
    return null;
  }
}

/** The live transcript in the stored lines' shape, so one presenter serves both. */
export function liveTranscriptDocs(call: CallDoc, live: CallLiveState): TranscriptDoc[] {
  return live.transcript.map((l) => ({
    _id: `${call._id}:${l.seq}`, org_id: call.org_id, call_id: call._id, seq: l.seq, text: l.text, user: l.user, created_at: new Date(l.at),
  }));
}
