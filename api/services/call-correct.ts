import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { correctedTranscripts } from '../../src/db/corrected-transcripts';
import { presentCorrectedTranscript, type CorrectedTranscriptResponse } from '../../src/presenters/corrected-transcript';
import { SA } from '../../src/workflow-api/search-attributes';
import { correctTranscriptWorkflowId, type correctTranscriptWorkflow } from '../../workflows/correct-transcript';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';

/** Seed: `{"status":"error","message":"Error fetching recording"}` when there is no recording to use. */
export const NO_RECORDING = 'Error fetching recording';

export type CorrectionAnswer =
  | { httpStatus: 200; body: CorrectedTranscriptResponse }
  | { httpStatus: 202; body: { status: 'processing'; message: string; corrected: [] } };

const processing = (message: string): CorrectionAnswer => ({ httpStatus: 202, body: { status: 'processing', message, corrected: [] } });

/**
 * GET /v1/calls/{id}/correct. The API never transcribes: the stored result is answered as is, and
 * the first request for a finished, recorded call starts `correct-<call_id>` (a second request
 * while it runs finds it started and answers `processing` too). A run that timed out or was
 * terminated may be started again (ALLOW_DUPLICATE_FAILED_ONLY); one that completed has stored
 * its answer, success or failure.
 */
export async function getCorrection(deps: ApiDeps, orgId: string, callId: string): Promise<CorrectionAnswer> {
  const call = (await deps.db.collections.calls.findOne(
    { _id: callId, org_id: orgId },
    { projection: { completed: 1, record: 1, inbound: 1, recording_url: 1 } },
  )) as { completed: boolean; record: boolean; recording_url: string | null } | null;
  if (!call) throw new ApiError(404, 'Call not found.', ['No call with this call_id in your organisation.']);

  const stored = await correctedTranscripts(deps.db).findOne({ _id: callId, org_id: orgId });
  if (stored?.status === 'complete') return { httpStatus: 200, body: presentCorrectedTranscript(stored) };
  if (stored?.status === 'failed') throw new ApiError(502, 'Error correcting transcript', [stored.error ?? 'The recording could not be transcribed.']);

  if (!call.record && !call.recording_url) {
    throw new ApiError(404, NO_RECORDING, ['This call was not recorded. Corrected transcripts are made from the recording, which exists only for calls created with record: true.']);
  }
  if (!call.completed) return processing('The call is still in progress. Its corrected transcript is made from the recording once the call has ended; ask again then.');
  if (!call.recording_url) {
    throw new ApiError(404, NO_RECORDING, ['No recording is available for this call (it was not answered, or the carrier sent none). Corrected transcripts are made from the recording.']);
  }

  try {
    await deps.temporal.workflow.start<typeof correctTranscriptWorkflow>('correctTranscriptWorkflow', {
      taskQueue: deps.taskQueue,
      workflowId: correctTranscriptWorkflowId(callId),
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      args: [{ orgId, callId }],
      workflowExecutionTimeout: '1 hour',
      typedSearchAttributes: [
        { key: SA.CallId, value: callId },
        { key: SA.OrgId, value: orgId },
      ],
      memo: { summary: 'Corrected transcript from the recording', org_id: orgId },
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
      deps.logger.error({ err, callId }, 'corrected transcript: workflow start failed');
      throw new ApiError(503, 'The corrected transcript could not be started; try again.');
    }
    // Started by an earlier request. It may have finished since this request read the store.
    const now = await correctedTranscripts(deps.db).findOne({ _id: callId, org_id: orgId });
    if (now?.status === 'complete') return { httpStatus: 200, body: presentCorrectedTranscript(now) };
    if (now?.status === 'failed') throw new ApiError(502, 'Error correcting transcript', [now.error ?? 'The recording could not be transcribed.']);
  }
  return processing('The corrected transcript is being made from the recording; ask again in a few seconds.');
}
