import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { QueueStatus } from '../db/types';

/** The one vocabulary of the batch workflow (`batch-<batch_id>`): imported by the workflow, the API and the tests. */

/** What a child call tells its batch when it has finished (sent by the call workflow, guarded by `batchRow`). */
export interface BatchCallDone {
  index: number;
  callId: string;
  queueStatus: QueueStatus;
  status: string;
  errorMessage: string | null;
}

/** Set on a child call's input only; absent in every call started on its own, and in old histories. */
export interface BatchRowRef {
  workflowId: string;
  index: number;
  /**
   * The child reports its end to the batch by a local activity (`reportBatchCallDone`), not by a
   * signal of its own. Absent in children started before it (old histories): they signal.
   */
  reportByActivity?: boolean;
  /**
   * The child reports its end only once its batch has told it that it was carried over to a later
   * run (`batchRowCarriedSignal`): the run that started it hears its result without a report. Set by
   * batch runs with the report-when-carried patch; absent before (those children always report).
   */
  reportWhenCarried?: boolean;
}

export interface BatchWorkflowInput {
  batchId: string;
  orgId: string;
  campaignId: string | null;
  /** Rows to dial: 0 .. totalRows-1 (1 with test_mode). The rows themselves stay in MongoDB. */
  totalRows: number;
  maxConcurrency: number;
  /** Dials per second of the whole organisation (config BATCH_DIALS_PER_SECOND), shared through reserveDials. */
  dialsPerSecond: number;
  /** ISO-8601: the whole batch waits until then. */
  startTime: string | null;
  /** Children started per activity round trip. */
  groupSize: number;
  /** Carried across continue-as-new; absent on the first run. */
  carry?: BatchCarry;
}

export interface BatchCarry {
  nextIndex: number;
  /** Row index → call ID, for children that are still live. */
  live: Array<[number, string]>;
  queueStatuses: Record<string, number>;
  statuses: Record<string, number>;
  done: number;
  stopped: boolean;
  stopReason: string | null;
  cancelledRows: number;
  firstDialAt: string | null;
  runs: number;
}

export interface BatchProgress {
  batchId: string;
  totalRows: number;
  queued: number;
  live: number;
  done: number;
  /** queue_status → count of finished calls. */
  queueStatuses: Record<string, number>;
  /** status (completed, no-answer, busy, failed, ...) → count of finished calls. */
  statuses: Record<string, number>;
  stopped: boolean;
  cancelledRows: number;
  /** Finished calls per second since the first dial. */
  callsPerSecond: number;
  /** Runs of this workflow ID so far (continue-as-new). */
  run: number;
}

export interface StopBatchInput {
  reason: string;
}

export interface StopBatchResult {
  /** Rows that will never be dialled plus live calls told to stop. */
  numCalls: number;
  cancelledRows: number;
  stoppedLive: number;
}

export interface BatchWorkflowResult {
  batchId: string;
  done: number;
  cancelledRows: number;
  queueStatuses: Record<string, number>;
  statuses: Record<string, number>;
  stopped: boolean;
}

export const batchCallDoneSignal = defineSignal<[BatchCallDone]>('batchCallDone');
/** Sent by a batch run, before it continues as new, to each live child it started: report your end to my successor. */
export const batchRowCarriedSignal = defineSignal('batchRowCarried');
export const stopBatchUpdate = defineUpdate<StopBatchResult, [StopBatchInput]>('stopBatch');
export const batchProgressQuery = defineQuery<BatchProgress>('batchProgress');

export const batchWorkflowId = (batchId: string): string => `batch-${batchId}`;
