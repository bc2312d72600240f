import { CancellationScope, isCancellation, ParentClosePolicy, startChild } from '@temporalio/workflow';
import type { PreparedBatchCall } from '../activities/batch';
import type { BatchCallDone, BatchWorkflowInput } from '../src/workflow-api/batch';
import { callStartAttributes } from '../src/workflow-api/search-attributes';
import type { phoneCallWorkflow } from './call';

/**
 * A row's call started as the batch's child, as batch runs did before their calls were started by
 * an activity (CALLS_STARTED_BY_ACTIVITY_PATCH): kept for those runs' histories. The child's result
 * reports it done, beside its signal.
 */
export async function startBatchChild(
  callType: 'phoneCallWorkflow' | 'callWorkflow',
  batch: Pick<BatchWorkflowInput, 'batchId' | 'orgId' | 'campaignId'>,
  p: PreparedBatchCall,
  markDone: (d: Pick<BatchCallDone, 'index' | 'queueStatus' | 'status'>) => void,
): Promise<void> {
  // Started outside the workflow's cancellation scope: cancelling the batch stops calls by signal,
  // so each call still writes its final record.
  const handle = await CancellationScope.nonCancellable(() =>
    startChild<typeof phoneCallWorkflow>(callType, {
      workflowId: `call-${p.callId}`,
      args: [p.input],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // The same attributes as a call sent on its own, plus its batch, so `BatchId = '…'` finds both.
      typedSearchAttributes: callStartAttributes(p.input, batch.campaignId),
      memo: { summary: `Batch ${batch.batchId} row ${p.index}`, org_id: batch.orgId },
    }),
  ).catch(() => {
    // Already started (cannot happen within one history): count the row once and move on.
    markDone({ index: p.index, queueStatus: 'queue_error', status: 'failed' });
    return null;
  });
  handle?.result().then(
    (r) => markDone({ index: p.index, queueStatus: r.queueStatus, status: r.status }),
    (err: unknown) => {
      if (!isCancellation(err)) markDone({ index: p.index, queueStatus: 'call_error', status: 'failed' });
    },
  );
}
