import { CancellationScope, condition, getExternalWorkflowHandle, isCancellation, log, ParentClosePolicy, startChild, workflowInfo } from '@temporalio/workflow';
import type { PreparedBatchCall } from '../activities/batch';
import type { BatchCallDone, BatchCarry, BatchProgress, BatchWorkflowInput, StopBatchResult } from '../src/workflow-api/batch';
import { stopCallSignal } from '../src/workflow-api/call';
import { callStartAttributes } from '../src/workflow-api/search-attributes';
import { batchStore as store } from './activity-proxies';
import type { phoneCallWorkflow } from './call';

/**
 * Children started per run at most. With about seven history events per child (start, started,
 * completed, the done signal, workflow tasks) a run stays far below 51k events, 2000 pending
 * children and 10k signals, even when the server never suggests continue-as-new.
 */
export const MAX_STARTS_PER_RUN = 1000;
/** Groups of child starts awaiting the server's answer at once. */
const MAX_STARTING_GROUPS = 4;
/**
 * Groups whose dial slots are being reserved and whose calls prepared at once (runs with the
 * pipelined-batch-groups patch). One at a time, each group waited two activity round trips, about
 * 1.8 s on a busy machine, and the window of live calls stayed far from full.
 */
const MAX_PREPARING_GROUPS = 3;

export type WindowEnd = 'finished' | 'continue';

const freshCarry = (): BatchCarry => ({
  nextIndex: 0, live: [], queueStatuses: {}, statuses: {}, done: 0,
  stopped: false, stopReason: null, cancelledRows: 0, firstDialAt: null, runs: 0,
});

/** Tells calls to stop; a call that has just ended is not there to stop, and needs nothing. */
export const stopCalls = (callIds: string[], reason: string) =>
  Promise.all(
    callIds.map((callId) =>
      getExternalWorkflowHandle(`call-${callId}`)
        .signal(stopCallSignal, { reason })
        .catch((err: unknown) => log.info('call not there to stop', { callId, error: String(err) })),
    ),
  );

/**
 * A batch run's sliding window over its rows: which rows are live (as child call workflows), how
 * many are done and how, and the loop that claims, prepares and starts the next groups of rows
 * while there is room (at most maxConcurrency live, at most dialsPerSecond starts).
 */
export class BatchWindow {
  readonly carry: BatchCarry;
  readonly live: Map<number, string>;
  readonly queueStatuses: Record<string, number>;
  readonly statuses: Record<string, number>;
  nextIndex: number;
  done: number;
  stopped: boolean;
  stopReason: string | null;
  cancelledRows: number;
  firstDialAt: string | null;
  private startedThisRun = 0;
  /** Rows handed to a group that are neither live nor cancelled yet (only pipelined runs have any). */
  private pendingRows = 0;
  private startingGroups = 0;
  private preparingGroups = 0;
  /** A group's failure other than a stop (an activity's non-retryable error) ends the window with it. */
  private groupFailure: { error: unknown } | null = null;
  private readonly perGroup: number;

  /**
   * @param reportWhenCarried children report their end only once told they were carried over
   * (runs with the report-when-carried patch; workflows/batch-row-report.ts).
   */
  constructor(
    private readonly input: BatchWorkflowInput,
    private readonly callType: 'phoneCallWorkflow' | 'callWorkflow',
    private readonly reportWhenCarried = false,
  ) {
    const carry = (this.carry = input.carry ?? freshCarry());
    this.live = new Map<number, string>(carry.live);
    this.queueStatuses = { ...carry.queueStatuses };
    this.statuses = { ...carry.statuses };
    ({ nextIndex: this.nextIndex, done: this.done, stopped: this.stopped, stopReason: this.stopReason, cancelledRows: this.cancelledRows, firstDialAt: this.firstDialAt } = carry);
    this.perGroup = Math.max(1, Math.min(input.groupSize, Math.ceil(input.dialsPerSecond)));
  }

  markDone(d: Pick<BatchCallDone, 'index' | 'queueStatus' | 'status'>): void {
    // A child may be heard twice (its signal and, in the run that started it, its result).
    if (!this.live.delete(d.index)) return;
    this.done += 1;
    this.queueStatuses[d.queueStatus] = (this.queueStatuses[d.queueStatus] ?? 0) + 1;
    this.statuses[d.status] = (this.statuses[d.status] ?? 0) + 1;
  }

  async stop(reason: string): Promise<StopBatchResult> {
    if (this.stopped) return { numCalls: 0, cancelledRows: 0, stoppedLive: 0 };
    this.stopped = true;
    this.stopReason = reason;
    // Rows still being prepared are cancelled by their group when it sees the stop.
    this.cancelledRows = this.input.totalRows - this.nextIndex + this.pendingRows;
    const targets = [...this.live.values()];
    await stopCalls(targets, reason);
    return { numCalls: this.cancelledRows + targets.length, cancelledRows: this.cancelledRows, stoppedLive: targets.length };
  }

  progress(): BatchProgress {
    const elapsedS = this.firstDialAt ? (Date.now() - Date.parse(this.firstDialAt)) / 1000 : 0;
    return {
      batchId: this.input.batchId, totalRows: this.input.totalRows,
      queued: this.stopped ? 0 : this.input.totalRows - this.nextIndex, live: this.live.size, done: this.done,
      queueStatuses: this.queueStatuses, statuses: this.statuses, stopped: this.stopped, cancelledRows: this.cancelledRows,
      callsPerSecond: elapsedS > 0 ? Math.round((this.done / elapsedS) * 100) / 100 : 0,
      run: this.carry.runs + 1,
    };
  }

  /** What the next run starts from. */
  carryOver(): BatchCarry {
    return {
      nextIndex: this.nextIndex, live: [...this.live.entries()], queueStatuses: this.queueStatuses, statuses: this.statuses, done: this.done,
      stopped: this.stopped, stopReason: this.stopReason, cancelledRows: this.cancelledRows, firstDialAt: this.firstDialAt, runs: this.carry.runs + 1,
    };
  }

  /** Every start command answered: the run may end or hand over. */
  startsAnswered(): Promise<void> {
    return condition(() => this.startingGroups === 0);
  }

  throwGroupFailure(): void {
    if (this.groupFailure) throw this.groupFailure.error;
  }

  /**
   * Waits for a scheduled start, then runs the sliding window: claims the next rows for a group
   * while the window has room, with up to MAX_PREPARING_GROUPS groups being prepared and
   * MAX_STARTING_GROUPS in flight. Groups may start their calls out of row order. Runs started
   * before the pipelined-batch-groups patch (`pipelined` false) prepare one group at a time.
   */
  async run(pipelined: boolean): Promise<WindowEnd> {
    const input = this.input;
    if (input.startTime && !input.carry) {
      const delayMs = Date.parse(input.startTime) - Date.now();
      if (delayMs > 0) await condition(() => this.stopped, delayMs);
    }
    if (!pipelined) return this.oneGroupAtATime();
    for (;;) {
      this.throwGroupFailure();
      if (this.stopped || (this.nextIndex >= input.totalRows && this.live.size === 0 && this.pendingRows === 0)) return 'finished';
      if (workflowInfo().continueAsNewSuggested || this.startedThisRun >= MAX_STARTS_PER_RUN) return 'continue';
      if (this.nextIndex < input.totalRows && this.canClaimMore()) {
        const count = Math.min(this.perGroup, input.maxConcurrency - this.live.size - this.pendingRows, input.totalRows - this.nextIndex);
        const from = this.nextIndex;
        // Counted as dialled from here on; a stop counts the rows not yet started as cancelled (pendingRows).
        this.nextIndex += count;
        this.startedThisRun += count;
        this.pendingRows += count;
        this.preparingGroups += 1;
        this.startingGroups += 1;
        // Not awaited: the next group is claimed while this one is prepared and started.
        void CancellationScope.nonCancellable(() => this.runGroup(from, count))
          .catch((error: unknown) => (this.groupFailure ??= { error }))
          .finally(() => (this.startingGroups -= 1));
      } else {
        // Room in the window for rows still to dial, the last call done, a stop, or time to continue as new.
        const rowsLeft = this.nextIndex < input.totalRows;
        await condition(
          () =>
            this.stopped || this.groupFailure !== null || (this.live.size === 0 && this.pendingRows === 0) ||
            (rowsLeft && this.canClaimMore()) || workflowInfo().continueAsNewSuggested,
        );
      }
    }
  }

  private async startRow(p: PreparedBatchCall): Promise<void> {
    this.live.set(p.index, p.callId);
    // Started outside the workflow's cancellation scope: cancelling the batch stops calls by signal,
    // so each call still writes its final record.
    const handle = await CancellationScope.nonCancellable(() =>
      startChild<typeof phoneCallWorkflow>(this.callType, {
        workflowId: `call-${p.callId}`,
        args: [this.reportWhenCarried && p.input.batchRow ? { ...p.input, batchRow: { ...p.input.batchRow, reportWhenCarried: true } } : p.input],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        // The same attributes as a call sent on its own, plus its batch, so `BatchId = '…'` finds both.
        typedSearchAttributes: callStartAttributes(p.input, this.input.campaignId),
        memo: { summary: `Batch ${this.input.batchId} row ${p.index}`, org_id: this.input.orgId },
      }),
    ).catch(() => {
      // Already started (cannot happen within one history): count the row once and move on.
      this.markDone({ index: p.index, queueStatus: 'queue_error', status: 'failed' });
      return null;
    });
    handle?.result().then(
      (r) => this.markDone({ index: p.index, queueStatus: r.queueStatus, status: r.status }),
      (err: unknown) => {
        if (!isCancellation(err)) this.markDone({ index: p.index, queueStatus: 'call_error', status: 'failed' });
      },
    );
  }

  private startAll(prepared: PreparedBatchCall[]): Promise<void[]> {
    return Promise.all(prepared.map((p) => this.startRow(p)));
  }

  private canStartMore(): boolean {
    return this.live.size < this.input.maxConcurrency && this.startingGroups < MAX_STARTING_GROUPS;
  }

  /** Runs started before the pipelined-batch-groups patch: one group at a time is reserved and prepared. */
  private async oneGroupAtATime(): Promise<WindowEnd> {
    const input = this.input;
    for (;;) {
      if (this.stopped || (this.nextIndex >= input.totalRows && this.live.size === 0)) return 'finished';
      if (workflowInfo().continueAsNewSuggested || this.startedThisRun >= MAX_STARTS_PER_RUN) return 'continue';
      if (this.nextIndex < input.totalRows && this.canStartMore()) {
        const count = Math.min(this.perGroup, input.maxConcurrency - this.live.size, input.totalRows - this.nextIndex);
        // The organisation's dial rate is shared by all its batches: slots come from one schedule.
        const { waitMs } = await store.reserveDials({ orgId: input.orgId, count, perSecond: input.dialsPerSecond });
        if (waitMs > 1 && (await condition(() => this.stopped, waitMs))) return 'finished';
        const prepared = await store.prepareBatchCalls({ orgId: input.orgId, batchId: input.batchId, from: this.nextIndex, count });
        if (this.stopped) {
          await CancellationScope.nonCancellable(() => store.cancelBatchCalls({ orgId: input.orgId, callIds: prepared.map((p) => p.callId) }));
          return 'finished';
        }
        this.firstDialAt ??= new Date().toISOString();
        // Counted as dialled from here on, so a stop arriving during the starts does not count them as cancelled.
        this.nextIndex += count;
        this.startedThisRun += count;
        // Not awaited: the server records child starts one by one, so the next group is prepared
        // while this one starts (at most MAX_STARTING_GROUPS groups in flight).
        this.startingGroups += 1;
        void this.startAll(prepared)
          .then(async () => {
            // A stop that arrived while these were starting could not reach them yet.
            if (this.stopped) await CancellationScope.nonCancellable(() => stopCalls(prepared.map((p) => p.callId), this.stopReason ?? 'batch stopped'));
          })
          .finally(() => (this.startingGroups -= 1));
      } else {
        // Room in the window for rows still to dial, the last call done, a stop, or time to continue as new.
        const rowsLeft = this.nextIndex < input.totalRows;
        await condition(() => this.stopped || this.live.size === 0 || (rowsLeft && this.canStartMore()) || workflowInfo().continueAsNewSuggested);
      }
    }
  }

  private canClaimMore(): boolean {
    return (
      this.live.size + this.pendingRows < this.input.maxConcurrency &&
      this.startingGroups < MAX_STARTING_GROUPS &&
      this.preparingGroups < MAX_PREPARING_GROUPS
    );
  }

  /**
   * One group's rows, claimed by the window: its dial slots, its calls' records, then their
   * starts. Not cancellable: a cancelled batch stops (see `stop`), and each group then cancels
   * what it prepared, as a stopped batch does.
   */
  private async runGroup(from: number, count: number): Promise<void> {
    const input = this.input;
    let prepared: PreparedBatchCall[];
    try {
      // The organisation's dial rate is shared by all its batches: slots come from one schedule.
      const { waitMs } = await store.reserveDials({ orgId: input.orgId, count, perSecond: input.dialsPerSecond });
      if (waitMs > 1) await condition(() => this.stopped, waitMs);
      if (this.stopped) return;
      prepared = await store.prepareBatchCalls({ orgId: input.orgId, batchId: input.batchId, from, count });
      if (this.stopped) {
        await store.cancelBatchCalls({ orgId: input.orgId, callIds: prepared.map((p) => p.callId) });
        return;
      }
      this.firstDialAt ??= new Date().toISOString();
    } finally {
      // A stop has counted these rows as cancelled; otherwise they go live below, in the same step.
      this.preparingGroups -= 1;
      this.pendingRows -= count;
    }
    await this.startAll(prepared);
    // A stop that arrived while these were starting could not reach them yet.
    if (this.stopped) await stopCalls(prepared.map((p) => p.callId), this.stopReason ?? 'batch stopped');
  }
}
