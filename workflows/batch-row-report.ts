import { condition, getExternalWorkflowHandle, log, setHandler } from '@temporalio/workflow';
import { batchCallDoneSignal, batchRowCarriedSignal, type BatchCallDone, type BatchCarry, type BatchRowRef } from '../src/workflow-api/batch';
import { localBatchReport } from './activity-proxies';

/** Both sides of a batch row's report of its end: the child call's, and its batch run's before it continues as new. */

/**
 * How long a run that continues as new waits for the results of children it could not tell they
 * were carried (they had just ended). Their results are on their way to this run; past this, the
 * next run's watch of carried children (workflows/batch.ts) counts them.
 */
const UNTOLD_WAIT_MS = 60_000;

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

/**
 * Before a batch run continues as new (runs with `reportWhenCarried`): tells each live child it
 * started that the next run carries it, so it reports its end there (children carried in were told
 * by the run that started them). A child that has just ended cannot be told: its result is on its
 * way to this run, which waits for it, so its row is not carried.
 */
export async function tellCarriedChildren(live: ReadonlyMap<number, string>, carriedIn: BatchCarry['live']): Promise<void> {
  const before = new Set(carriedIn.map(([index]) => index));
  const untold: number[] = [];
  await Promise.all(
    [...live]
      .filter(([index]) => !before.has(index))
      .map(([index, callId]) =>
        getExternalWorkflowHandle(`call-${callId}`)
          .signal(batchRowCarriedSignal)
          .catch((err: unknown) => {
            // The server's answer for a child that has already ended (or was terminated): it cannot be told.
            log.info('call not told it is carried over', { callId, error: String(err) });
            untold.push(index);
          }),
      ),
  );
  if (untold.length > 0) await condition(() => untold.every((index) => !live.has(index)), UNTOLD_WAIT_MS);
}
