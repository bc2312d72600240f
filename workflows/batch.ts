import {
  ActivityFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  setHandler,
  upsertMemo,
} from '@temporalio/workflow';
import { batchCallDoneSignal, batchProgressQuery, stopBatchUpdate, type BatchWorkflowInput, type BatchWorkflowResult } from '../src/workflow-api/batch';
import { batchStore as store, batchWebhook as webhook } from './activity-proxies';
import { tellCarriedChildren } from './batch-row-report';
import { BatchWindow, type WindowEnd } from './batch-window';

/** The activity's own words for a failure, not Temporal's wrapper. */
const activityFailureMessage = (err: unknown): string =>
  err instanceof ActivityFailure && err.cause ? err.cause.message : err instanceof Error ? err.message : 'unknown error';

/** Marks the batch runs whose calls are phoneCallWorkflow children (older runs start callWorkflow). */
export const PHONE_CALL_CHILDREN_PATCH = 'phone-call-children';
/** Marks the batch runs that ask the server, now and then, about the children carried over to them. */
export const WATCH_CARRIED_PATCH = 'watch-carried-children';
/** Marks the batch runs that reserve and prepare more than one group of rows at once. */
export const PIPELINED_GROUPS_PATCH = 'pipelined-batch-groups';
/** Marks the batch runs whose children report their end only when carried over (workflows/batch-row-report.ts). */
export const REPORT_WHEN_CARRIED_PATCH = 'report-when-carried';
/** How often a run asks about carried-over children still live (a terminated one never reports). */
const CARRIED_CHECK_MS = 30_000;

/**
 * `batch-<batch_id>`: dials a batch's rows as child call workflows in a sliding window (at most
 * maxConcurrency live, at most dialsPerSecond starts; ./batch-window.ts). Rows stay in MongoDB; this
 * history holds only the window. Children are abandoned on close, so continue-as-new and a stop
 * never cut a live call; the run that started a child hears its result, and a child carried over to
 * a later run reports its end by signal.
 */
export async function batchWorkflow(input: BatchWorkflowInput): Promise<BatchWorkflowResult> {
  // Decided once, first thing in the run: runs that started before phoneCallWorkflow keep starting callWorkflow.
  const callType = patched(PHONE_CALL_CHILDREN_PATCH) ? 'phoneCallWorkflow' : 'callWorkflow';
  const pipelined = patched(PIPELINED_GROUPS_PATCH);
  const reportWhenCarried = patched(REPORT_WHEN_CARRIED_PATCH);
  const w = new BatchWindow(input, callType, reportWhenCarried);
  const { carry, live } = w;
  // Asked only by runs that carry children over (and so only then a marker in the history).
  const watchCarried = carry.live.length > 0 && patched(WATCH_CARRIED_PATCH);

  setHandler(batchCallDoneSignal, (d) => w.markDone(d));
  setHandler(stopBatchUpdate, ({ reason }) => w.stop(reason), {
    validator: (arg) => {
      if (typeof arg?.reason !== 'string' || arg.reason.length > 500) throw new Error('reason must be a string of at most 500 characters.');
    },
  });
  setHandler(batchProgressQuery, () => w.progress());

  /**
   * Children carried over from an earlier run report only by their signal, which a child an
   * operator terminated never sends; without this the batch would wait for it for ever. So while
   * any is live, the run asks the server about them every CARRIED_CHECK_MS.
   */
  const watchCarriedChildren = async () => {
    const carriedLive = () => carry.live.filter(([index]) => live.has(index));
    while (carriedLive().length > 0) {
      if (await condition(() => carriedLive().length === 0, CARRIED_CHECK_MS)) return;
      for (const d of await store.closedBatchCalls({ calls: carriedLive() })) w.markDone(d);
    }
  };
  // Outside the cancellation scope: a cancelled batch still waits for its live calls, these included.
  if (watchCarried) void CancellationScope.nonCancellable(watchCarriedChildren);

  let cancelled: unknown = null;
  let next: WindowEnd;
  try {
    next = await w.run(pipelined);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancel from the Temporal UI behaves like POST /v1/batches/{id}/stop.
    cancelled = err;
    next = 'finished';
    await CancellationScope.nonCancellable(() => w.stop('batch cancelled'));
  }

  // Every start command answered before this run ends or hands over.
  await CancellationScope.nonCancellable(() => w.startsAnswered());
  w.throwGroupFailure();
  if (next === 'continue') {
    if (reportWhenCarried) await CancellationScope.nonCancellable(() => tellCarriedChildren(live, carry.live));
    await condition(allHandlersFinished);
    await continueAsNew<typeof batchWorkflow>({ ...input, carry: w.carryOver() });
  }

  return CancellationScope.nonCancellable(async () => {
    // Live calls (told to stop, if the batch was stopped) still report; the batch ends after them.
    await condition(() => live.size === 0);
    await condition(allHandlersFinished);
    const { stopped, done, cancelledRows, queueStatuses, statuses } = w;
    const summary = { orgId: input.orgId, batchId: input.batchId, stopped, done, cancelledRows, queueStatuses, statuses };
    const { webhookUrl } = await store.finishBatch(summary);
    upsertMemo({ summary: `${done} calls done${stopped ? `; stopped (${w.stopReason}), ${cancelledRows} rows not dialled` : ''}` });
    if (webhookUrl) {
      // The batch's calls are done whatever the receiver says: a final failure is recorded on the batch, not thrown.
      await webhook.deliverBatchWebhook({ ...summary, url: webhookUrl }).catch((err: unknown) =>
        store.recordBatchWebhookFailure({ orgId: input.orgId, batchId: input.batchId, message: activityFailureMessage(err) }),
      );
    }
    if (cancelled) throw cancelled;
    return { batchId: input.batchId, done, cancelledRows, queueStatuses, statuses, stopped };
  });
}
