import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { reserveDialSlots } from '../src/batches/dial-rate';
import { callWorkflowId } from '../src/ids';
import type { BatchCallDone } from '../src/workflow-api/batch';
import type { CallWorkflowResult } from '../src/workflow-api/call';
import { callStartAttributes } from '../src/workflow-api/search-attributes';
import type { PrepareBatchCallsInput, PreparedBatchCall } from './batch';
import type { ActivityDeps } from './deps';

export interface StartBatchCallsInput extends PrepareBatchCallsInput {
  campaignId: string | null;
  /** The batch's own task queue: its calls run where it runs. */
  taskQueue: string;
  /** The organisation's dials per second, shared by all its batches (src/batches/dial-rate.ts). */
  perSecond: number;
  /** The rows' dial slots were reserved by an earlier call that answered with a wait. */
  reserved?: true;
}

/** The calls started; or none, and how long to wait for the rows' dial slots before asking again with `reserved`. */
export interface StartBatchCallsResult {
  started: Array<{ index: number; callId: string }>;
  waitMs: number;
}

/** A call of the batch whose workflow has closed; as its result says, or failed if it has none. */
export type ClosedBatchCall = Pick<BatchCallDone, 'callId' | 'queueStatus' | 'status'>;

/**
 * A batch's calls started as workflows of their own, by the client, instead of as the batch's
 * children: the batch's history then holds no start, started or completed event per call, only the
 * call's done signal, and the server starts a group's calls at once instead of one by one through
 * the batch's history (docs/batches.md, "How a batch starts its calls").
 */
export function createBatchStartActivities(
  { db }: Pick<ActivityDeps, 'db'>,
  prepareBatchCalls: (input: PrepareBatchCallsInput) => Promise<PreparedBatchCall[]>,
) {
  async function closedUnfinished(orgId: string, callId: string, how: string): Promise<ClosedBatchCall> {
    await db.collections.calls.updateOne(
      { _id: callId, org_id: orgId, completed: false },
      { $set: { queue_status: 'call_error', status: 'failed', completed: true, error_message: `The call's workflow closed before the call ended (${how.toLowerCase()}).` } },
    );
    return { callId, queueStatus: 'call_error', status: 'failed' };
  }

  return {
    /**
     * Rows [from, from+count): their dial slots reserved on the organisation's schedule and, if
     * their time has come, prepared (their documents inserted once) and their call workflows
     * started; if not, nothing started and the wait (the batch waits on a timer, so a stop meanwhile
     * dials nothing). Safe to retry: a call already started, or already finished (REJECT_DUPLICATE),
     * is not started again, so a row is dialled once whatever happens to this activity.
     */
    async startBatchCalls({ campaignId, taskQueue, perSecond, reserved, ...rows }: StartBatchCallsInput): Promise<StartBatchCallsResult> {
      if (!reserved) {
        const { waitMs } = await reserveDialSlots(db.collections.dialSlots, rows.orgId, rows.count, perSecond);
        if (waitMs > 1) return { started: [], waitMs };
      }
      const { client } = Context.current();
      const prepared = await prepareBatchCalls(rows);
      await Promise.all(
        prepared.map(async (p) => {
          try {
            await client.workflow.start('phoneCallWorkflow', {
              taskQueue,
              workflowId: callWorkflowId(p.callId),
              workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
              args: [p.input],
              // The same attributes as a call sent on its own, plus its batch, so `BatchId = '…'` finds both.
              typedSearchAttributes: callStartAttributes(p.input, campaignId),
              memo: { summary: `Batch ${rows.batchId} row ${p.index}`, org_id: rows.orgId },
            });
          } catch (err) {
            if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
          }
        }),
      );
      return { started: prepared.map((p) => ({ index: p.index, callId: p.callId })), waitMs: 0 };
    },

    /**
     * Which of a batch's live calls have closed without telling it (terminated or timed out by an
     * operator, or failed): a call that completed is reported with its own outcome, any other close
     * as a failed call, and its record, which its workflow never finished, says so. Calls still
     * running are left out.
     */
    async closedBatchCalls({ orgId, callIds }: { orgId: string; callIds: string[] }): Promise<ClosedBatchCall[]> {
      const { client } = Context.current();
      const closed = await Promise.all(
        callIds.map(async (callId): Promise<ClosedBatchCall | null> => {
          const handle = client.workflow.getHandle(callWorkflowId(callId));
          try {
            const { status } = await handle.describe();
            if (status.name === 'RUNNING') return null;
            if (status.name !== 'COMPLETED') return await closedUnfinished(orgId, callId, status.name);
            const result = (await handle.result()) as CallWorkflowResult;
            return { callId, queueStatus: result.queueStatus, status: result.status };
          } catch (err) {
            // Started, so only gone once the server's retention has passed: long closed.
            if (err instanceof WorkflowNotFoundError) return await closedUnfinished(orgId, callId, 'gone');
            throw err;
          }
        }),
      );
      return closed.filter((c): c is ClosedBatchCall => c !== null);
    },
  };
}
