import { callWorkflowId } from '../ids';
import type { CallWorkflowInput } from '../workflow-api/call';
import type { CallDoc, QueueStatus } from '../db/types';

/**
 * A call's first read-model document, from its workflow input: the one shape whether the call was
 * sent on its own, is a batch row, is a pathway chat, or came in to one of the organisation's numbers. Everything after the start is filled in
 * by the workflow's activities.
 */
export function newCallDoc(
  input: CallWorkflowInput,
  opts: { body: Record<string, unknown>; queueStatus: QueueStatus; endpointUrl: string; simulated: boolean; now: Date },
): CallDoc {
  const { body } = opts;
  return {
    _id: input.callId, org_id: input.orgId, call_id: input.callId, c_id: input.callId,
    to: input.to, from: input.from,
    batch_id: input.batchId, campaign_id: typeof body.campaign_id === 'string' ? body.campaign_id : null, inbound: input.inbound !== undefined,
    request_data: body, variables: {}, metadata: (body.metadata as Record<string, unknown>) ?? {},
    queue_status: opts.queueStatus, status: 'queued', completed: false,
    created_at: opts.now, started_at: null, end_at: null, ended_at: null,
    call_length: null, corrected_duration: null, max_duration: input.maxDurationMinutes,
    answered_by: null, call_ended_by: null, error_message: null,
    record: input.record, recording_url: null, summary: null, price: null,
    analysis: null, analysis_schema: input.postCall.analysisSchema,
    pathway_logs: null, concatenated_transcript: null, transferred_to: null, local_dialing: false,
    endpoint_url: opts.endpointUrl, provider_call_sid: null, workflow_id: callWorkflowId(input.callId),
    simulated: opts.simulated,
  };
}
