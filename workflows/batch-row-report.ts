import { getExternalWorkflowHandle, log, setHandler } from '@temporalio/workflow';
import { batchCallDoneSignal, batchRowCarriedSignal, type BatchCallDone, type BatchRowRef } from '../src/workflow-api/batch';
import { localBatchReport } from './activity-proxies';

/**
 * How a batch's child call tells its batch (batch-<id>, whichever run is current) that it is done.
 * Registered first thing in the call; the returned function is called last. A child of a run with
 * `reportWhenCarried` reports only if that run told it, before continuing as new, that it was
 * carried over: otherwise the run that started it hears its result, and a report would cost the
 * batch a signal and a workflow task for nothing. Calls outside a batch report nothing.
 */
export function batchRowReport(batchRow: BatchRowRef | undefined): (outcome: Omit<BatchCallDone, 'index'>) => Promise<void> {
  let carried = false;
  if (batchRow?.reportWhenCarried) setHandler(batchRowCarriedSignal, () => void (carried = true));
  return async (outcome) => {
    if (!batchRow || (batchRow.reportWhenCarried && !carried)) return;
    const done = { index: batchRow.index, ...outcome };
    if (batchRow.reportByActivity) {
      await localBatchReport.reportBatchCallDone({ batchWorkflowId: batchRow.workflowId, done });
      return;
    }
    await getExternalWorkflowHandle(batchRow.workflowId)
      .signal(batchCallDoneSignal, done)
      // A batch that was terminated is not there to hear it, and nobody is waiting: the call still ends as it did.
      .catch((err: unknown) => log.warn('batch not told of its call', { batchWorkflowId: batchRow.workflowId, error: String(err) }));
  };
}
