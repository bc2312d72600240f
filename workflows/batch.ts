import {
  ActivityFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PreparedBatchCall } from '../activities/batch';
import {
  batchCallDoneSignal,
  batchProgressQuery,
  stopBatchUpdate,
  type BatchCallDone,
  type BatchCarry,
  type BatchProgress,
  type BatchWorkflowInput,
  type BatchWorkflowResult,
  type StopBatchResult,
} from '../src/workflow-api/batch';
import { stopCallSignal } from '../src/workflow-api/call';
import { callStartAttributes } from '../src/workflow-api/search-attributes';
import type { phoneCallWorkflow } from './call';

/** The activity's own words for a failure, not Temporal's wrapper. */
const activityFailureMessage = (err: unknown): string =>
  err instanceof ActivityFailure && err.cause ? err.cause.message : err instanceof Error ? err.message : 'unknown error';

/** Reading rows and writing the batch's records: quick, retried until the store answers. */
const store = proxyActivities<Activities>({
  startToCloseTimeout: '60 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});
const webhook = proxyActivities<Activities>({
  startToCloseTimeout: '60 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '60 seconds', maximumAttempts: 6 },
});

/** Marks the batch runs whose calls are phoneCallWorkflow children (older runs start callWorkflow). */
export const PHONE_CALL_CHILDREN_PATCH = 'phone-call-children';
/** Marks the batch runs that ask the server, now and then, about the children carried over to them. */
export const WATCH_CARRIED_PATCH = 'watch-carried-children';
/** Marks the batch runs that reserve and prepare more than one group of rows at once. */
export const PIPELINED_GROUPS_PATCH = 'pipelined-batch-groups';
/** How often a run asks about carried-over children still live (a terminated one never reports). */
const CARRIED_CHECK_MS = 30_000;

/**
 * Children started per run at most. With about seven history events per child (start, started,
 * completed, the done signal, workflow tasks) a run stays far below 51k events, 2000 pending
 * children and 10k signals, even when the server never suggests continue-as-new.
 */
export const MAX_STARTS_PER_RUN = 1000;
/** Groups of child starts awaiting the server's answer at once. */
const MAX_STARTING_GROUPS = 4;
/**
 * Groups whose dial slots are being reserved and whose calls prepared at once (runs with
 * PIPELINED_GROUPS_PATCH). One at a time, each group waited two activity round trips, about 1.8 s
 * on a busy machine, and the window of live calls stayed far from full.
 */
const MAX_PREPARING_GROUPS = 3;

const freshCarry = (): BatchCarry => ({
  nextIndex: 0, live: [], queueStatuses: {}, statuses: {}, done: 0,
  stopped: false, stopReason: null, cancelledRows: 0, firstDialAt: null, runs: 0,
});

/**
 * `batch-<batch_id>`: dials a batch's rows as child call workflows in a sliding window (at most
 * maxConcurrency live, at most dialsPerSecond starts). Rows stay in MongoDB; this history holds only
 * the window. Children are abandoned on close and report completion by signal, so continue-as-new
 * and a stop never cut a live call.
 */
export async function batchWorkflow(input: BatchWorkflowInput): Promise<BatchWorkflowResult> {
  // Decided once, first thing in the run: runs that started before phoneCallWorkflow keep starting callWorkflow.
  const callType = patched(PHONE_CALL_CHILDREN_PATCH) ? 'phoneCallWorkflow' : 'callWorkflow';
  const pipelined = patched(PIPELINED_GROUPS_PATCH);
  const carry = input.carry ?? freshCarry();
  const live = new Map<number, string>(carry.live);
  const queueStatuses = { ...carry.queueStatuses };
  const statuses = { ...carry.statuses };
  let { nextIndex, done, stopped, stopReason, cancelledRows, firstDialAt } = carry;
  let startedThisRun = 0;
  // Rows handed to a group that are neither live nor cancelled yet (only pipelined runs have any).
  let pendingRows = 0;
  // Asked only by runs that carry children over (and so only then a marker in the history).
  const watchCarried = carry.live.length > 0 && patched(WATCH_CARRIED_PATCH);

  const markDone = (d: Pick<BatchCallDone, 'index' | 'queueStatus' | 'status'>) => {
    // A child may be heard twice (its signal and, in the run that started it, its result).
    if (!live.delete(d.index)) return;
    done += 1;
    queueStatuses[d.queueStatus] = (queueStatuses[d.queueStatus] ?? 0) + 1;
    statuses[d.status] = (statuses[d.status] ?? 0) + 1;
  };

  const stopCalls = (callIds: string[], reason: string) =>
    Promise.all(
      // A call that has just ended is not there to stop: nothing to do.
      callIds.map((callId) =>
        getExternalWorkflowHandle(`call-${callId}`)
          .signal(stopCallSignal, { reason })
          .catch((err: unknown) => log.info('call not there to stop', { callId, error: String(err) })),
      ),
    );

  const stop = async (reason: string): Promise<StopBatchResult> => {
    if (stopped) return { numCalls: 0, cancelledRows: 0, stoppedLive: 0 };
    stopped = true;
    stopReason = reason;
    // Rows still being prepared are cancelled by their group when it sees the stop.
    cancelledRows = input.totalRows - nextIndex + pendingRows;
    const targets = [...live.values()];
    await stopCalls(targets, reason);
    return { numCalls: cancelledRows + targets.length, cancelledRows, stoppedLive: targets.length };
  };

  setHandler(batchCallDoneSignal, markDone);
  setHandler(stopBatchUpdate, ({ reason }) => stop(reason), {
    validator: (arg) => {
      if (typeof arg?.reason !== 'string' || arg.reason.length > 500) throw new Error('reason must be a string of at most 500 characters.');
    },
  });
  setHandler(batchProgressQuery, (): BatchProgress => {
    const elapsedS = firstDialAt ? (Date.now() - Date.parse(firstDialAt)) / 1000 : 0;
    return {
      batchId: input.batchId, totalRows: input.totalRows,
      queued: stopped ? 0 : input.totalRows - nextIndex, live: live.size, done,
      queueStatuses, statuses, stopped, cancelledRows,
      callsPerSecond: elapsedS > 0 ? Math.round((done / elapsedS) * 100) / 100 : 0,
      run: carry.runs + 1,
    };
  });

  const startRow = async (p: PreparedBatchCall) => {
    live.set(p.index, p.callId);
    // Started outside the workflow's cancellation scope: cancelling the batch stops calls by signal,
    // so each call still writes its final record.
    const handle = await CancellationScope.nonCancellable(() =>
      startChild<typeof phoneCallWorkflow>(callType, {
        workflowId: `call-${p.callId}`,
        args: [p.input],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        // The same attributes as a call sent on its own, plus its batch, so `BatchId = '…'` finds both.
        typedSearchAttributes: callStartAttributes(p.input, input.campaignId),
        memo: { summary: `Batch ${input.batchId} row ${p.index}`, org_id: input.orgId },
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
  };

  /**
   * Children carried over from an earlier run report only by their signal, which a child an
   * operator terminated never sends; without this the batch would wait for it for ever. So while
   * any is live, the run asks the server about them every CARRIED_CHECK_MS.
   */
  const watchCarriedChildren = async () => {
    const carriedLive = () => carry.live.filter(([index]) => live.has(index));
    while (carriedLive().length > 0) {
      if (await condition(() => carriedLive().length === 0, CARRIED_CHECK_MS)) return;
      for (const d of await store.closedBatchCalls({ calls: carriedLive() })) markDone(d);
    }
  };
  // Outside the cancellation scope: a cancelled batch still waits for its live calls, these included.
  if (watchCarried) void CancellationScope.nonCancellable(watchCarriedChildren);

  const perGroup = Math.max(1, Math.min(input.groupSize, Math.ceil(input.dialsPerSecond)));

  let startingGroups = 0;
  const canStartMore = () => live.size < input.maxConcurrency && startingGroups < MAX_STARTING_GROUPS;

  /** Runs started before PIPELINED_GROUPS_PATCH: one group at a time is reserved and prepared. */
  const windowOneGroupAtATime = async (): Promise<'finished' | 'continue'> => {
    for (;;) {
      if (stopped || (nextIndex >= input.totalRows && live.size === 0)) return 'finished';
      if (workflowInfo().continueAsNewSuggested || startedThisRun >= MAX_STARTS_PER_RUN) return 'continue';
      if (nextIndex < input.totalRows && canStartMore()) {
        const count = Math.min(perGroup, input.maxConcurrency - live.size, input.totalRows - nextIndex);
        // The organisation's dial rate is shared by all its batches: slots come from one schedule.
        const { waitMs } = await store.reserveDials({ orgId: input.orgId, count, perSecond: input.dialsPerSecond });
        if (waitMs > 1 && (await condition(() => stopped, waitMs))) return 'finished';
        const prepared = await store.prepareBatchCalls({ orgId: input.orgId, batchId: input.batchId, from: nextIndex, count });
        if (stopped) {
          await CancellationScope.nonCancellable(() => store.cancelBatchCalls({ orgId: input.orgId, callIds: prepared.map((p) => p.callId) }));
          return 'finished';
        }
        firstDialAt ??= new Date().toISOString();
        // Counted as dialled from here on, so a stop arriving during the starts does not count them as cancelled.
        nextIndex += count;
        startedThisRun += count;
        // Not awaited: the server records child starts one by one, so the next group is prepared
        // while this one starts (at most MAX_STARTING_GROUPS groups in flight).
        startingGroups += 1;
        void Promise.all(prepared.map(startRow))
          .then(async () => {
            // A stop that arrived while these were starting could not reach them yet.
            if (stopped) await CancellationScope.nonCancellable(() => stopCalls(prepared.map((p) => p.callId), stopReason ?? 'batch stopped'));
          })
          .finally(() => (startingGroups -= 1));
      } else {
        // Room in the window for rows still to dial, the last call done, a stop, or time to continue as new.
        const rowsLeft = nextIndex < input.totalRows;
        await condition(() => stopped || live.size === 0 || (rowsLeft && canStartMore()) || workflowInfo().continueAsNewSuggested);
      }
    }
  };

  let preparingGroups = 0;
  // A group's failure other than a stop (an activity's non-retryable error) ends the window with it.
  let groupFailure: { error: unknown } | null = null;
  const throwGroupFailure = () => {
    if (groupFailure) throw groupFailure.error;
  };
  const canClaimMore = () =>
    live.size + pendingRows < input.maxConcurrency && startingGroups < MAX_STARTING_GROUPS && preparingGroups < MAX_PREPARING_GROUPS;

  /**
   * One group's rows, claimed by the window: its dial slots, its calls' records, then their
   * starts. Not cancellable: a cancelled batch stops (see `stop`), and each group then cancels
   * what it prepared, as a stopped batch does.
   */
  const runGroup = async (from: number, count: number): Promise<void> => {
    let prepared: PreparedBatchCall[];
    try {
      // The organisation's dial rate is shared by all its batches: slots come from one schedule.
      const { waitMs } = await store.reserveDials({ orgId: input.orgId, count, perSecond: input.dialsPerSecond });
      if (waitMs > 1) await condition(() => stopped, waitMs);
      if (stopped) return;
      prepared = await store.prepareBatchCalls({ orgId: input.orgId, batchId: input.batchId, from, count });
      if (stopped) {
        await store.cancelBatchCalls({ orgId: input.orgId, callIds: prepared.map((p) => p.callId) });
        return;
      }
      firstDialAt ??= new Date().toISOString();
    } finally {
      // A stop has counted these rows as cancelled; otherwise they go live below, in the same step.
      preparingGroups -= 1;
      pendingRows -= count;
    }
    await Promise.all(prepared.map(startRow));
    // A stop that arrived while these were starting could not reach them yet.
    if (stopped) await stopCalls(prepared.map((p) => p.callId), stopReason ?? 'batch stopped');
  };

  /**
   * The sliding window: claims the next rows for a group while the window has room, with up to
   * MAX_PREPARING_GROUPS groups being prepared and MAX_STARTING_GROUPS in flight. Groups may start
   * their calls out of row order.
   */
  const window = async (): Promise<'finished' | 'continue'> => {
    if (input.startTime && !input.carry) {
      const delayMs = Date.parse(input.startTime) - Date.now();
      if (delayMs > 0) await condition(() => stopped, delayMs);
    }
    if (!pipelined) return windowOneGroupAtATime();
    for (;;) {
      throwGroupFailure();
      if (stopped || (nextIndex >= input.totalRows && live.size === 0 && pendingRows === 0)) return 'finished';
      if (workflowInfo().continueAsNewSuggested || startedThisRun >= MAX_STARTS_PER_RUN) return 'continue';
      if (nextIndex < input.totalRows && canClaimMore()) {
        const count = Math.min(perGroup, input.maxConcurrency - live.size - pendingRows, input.totalRows - nextIndex);
        const from = nextIndex;
        // Counted as dialled from here on; a stop counts the rows not yet started as cancelled (pendingRows).
        nextIndex += count;
        startedThisRun += count;
        pendingRows += count;
        preparingGroups += 1;
        startingGroups += 1;
        // Not awaited: the next group is claimed while this one is prepared and started.
        void CancellationScope.nonCancellable(() => runGroup(from, count))
          .catch((error: unknown) => (groupFailure ??= { error }))
          .finally(() => (startingGroups -= 1));
      } else {
        // Room in the window for rows still to dial, the last call done, a stop, or time to continue as new.
        const rowsLeft = nextIndex < input.totalRows;
        await condition(
          () =>
            stopped || groupFailure !== null || (live.size === 0 && pendingRows === 0) || (rowsLeft && canClaimMore()) ||
            workflowInfo().continueAsNewSuggested,
        );
      }
    }
  };

  let cancelled: unknown = null;
  let next: 'finished' | 'continue';
  try {
    next = await window();
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancel from the Temporal UI behaves like POST /v1/batches/{id}/stop.
    cancelled = err;
    next = 'finished';
    await CancellationScope.nonCancellable(() => stop('batch cancelled'));
  }

  // Every start command answered before this run ends or hands over.
  await CancellationScope.nonCancellable(() => condition(() => startingGroups === 0));
  throwGroupFailure();
  if (next === 'continue') {
    await condition(allHandlersFinished);
    await continueAsNew<typeof batchWorkflow>({
      ...input,
      carry: {
        nextIndex, live: [...live.entries()], queueStatuses, statuses, done,
        stopped, stopReason, cancelledRows, firstDialAt, runs: carry.runs + 1,
      },
    });
  }

  return CancellationScope.nonCancellable(async () => {
    // Live calls (told to stop, if the batch was stopped) still report; the batch ends after them.
    await condition(() => live.size === 0);
    await condition(allHandlersFinished);
    const summary = { orgId: input.orgId, batchId: input.batchId, stopped, done, cancelledRows, queueStatuses, statuses };
    const { webhookUrl } = await store.finishBatch(summary);
    upsertMemo({ summary: `${done} calls done${stopped ? `; stopped (${stopReason}), ${cancelledRows} rows not dialled` : ''}` });
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
