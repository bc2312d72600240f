import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { callWorkflowId } from '../src/ids';
import { batchCallDoneSignal, type BatchCallDone } from '../src/workflow-api/batch';
import type { CallWorkflowResult } from '../src/workflow-api/call';

export interface ClosedBatchCallsInput {
  /** Row index → call ID: children a batch run carried over from the run that started them. */
  calls: Array<[number, string]>;
}

/** How a child that ended without a result of its own (terminated, failed, timed out, gone) counts. */
const NO_RESULT = { queueStatus: 'call_error', status: 'failed' } as const;

/**
 * What a batch run cannot hear by itself: it listens to the results of the children it started,
 * but a child carried over from an earlier run only reports by its `batchCallDone` signal, which a
 * child an operator terminated never sends. This asks the server about each such child and returns
 * those that have ended, with their outcome.
 */
export function createBatchChildrenActivities() {
  return {
    async closedBatchCalls({ calls }: ClosedBatchCallsInput): Promise<Array<Pick<BatchCallDone, 'index' | 'queueStatus' | 'status'>>> {
      const { client } = Context.current();
      const closed: Array<Pick<BatchCallDone, 'index' | 'queueStatus' | 'status'>> = [];
      for (const [index, callId] of calls) {
        const handle = client.workflow.getHandle<() => Promise<CallWorkflowResult>>(callWorkflowId(callId));
        try {
          const { status } = await handle.describe();
          if (status.name === 'RUNNING') continue;
          if (status.name !== 'COMPLETED') {
            closed.push({ index, ...NO_RESULT });
            continue;
          }
          const result = await handle.result();
          closed.push({ index, queueStatus: result.queueStatus, status: result.status });
        } catch (err) {
          // Past the namespace's retention a closed child is gone: it ended long ago.
          if (!(err instanceof WorkflowNotFoundError)) throw err;
          closed.push({ index, ...NO_RESULT });
        }
      }
      return closed;
    },

    /**
     * A child's report to its batch (`batchCallDone`), sent by the worker's client from the child's
     * last workflow task (with `BatchRowRef.reportByActivity`). Sent by the workflow itself, the
     * signal's delivery comes back as an event that costs the child one more workflow task; the
     * server delivers a workflow's signal only while the sender still runs, so it must be awaited.
     * Sent twice after a worker's crash, it is heard once (the batch counts a row once).
     */
    async reportBatchCallDone({ batchWorkflowId, done }: { batchWorkflowId: string; done: BatchCallDone }): Promise<void> {
      const { client, log } = Context.current();
      try {
        await client.workflow.getHandle(batchWorkflowId).signal(batchCallDoneSignal, done);
      } catch (err) {
        // A batch that was terminated is not there to hear it, and nobody is waiting: the call still ends as it did.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        log.warn('batch not told of its call', { batchWorkflowId, callId: done.callId });
      }
    },
  };
}
