import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { createBatch, rowCallBody, type CreateBatchDeps } from '../../src/batches/create-batch';
import { replayBatch } from '../../src/batches/replay';
import type { BatchDoc } from '../../src/batches/types';
import { batchProgressQuery, batchWorkflowId, stopBatchUpdate, type BatchProgress } from '../../src/workflow-api/batch';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest, notFound } from '../errors';
import type { BatchParams, ReplayParams } from '../schemas/batch';
import { validateSendCall } from '../schemas/send-call';
import { resolveCallConfig } from './call-config';
import { createCall } from './create-call';
import { urlCheck } from './outbound';
import { callVoice } from './voices';

/** Batches: starting, stopping and replaying batch workflows (`batch-<batch_id>`); docs/batches.md. */

export const DEFAULT_BATCH_SETTINGS = { bodyLimitBytes: 64 * 1_048_576, maxConcurrency: 50, dialsPerSecond: 20 };

export function createBatchDeps(deps: ApiDeps): CreateBatchDeps {
  return {
    db: deps.db, temporal: deps.temporal, taskQueue: deps.taskQueue, logger: deps.logger,
    publicBaseUrl: deps.publicBaseUrl, callDefaults: deps.callDefaults, batches: deps.batches ?? DEFAULT_BATCH_SETTINGS,
    resolveCallConfig: async (orgId, callParams, encryptedKey) => ({ ...(await resolveCallConfig(deps, orgId, callParams, encryptedKey)), ...(await callVoice(deps, orgId, callParams)) }),
    checkWebhookUrl: (url, label) => {
      const problem = urlCheck(deps)(url, label);
      if (problem) throw badRequest([problem]);
    },
  };
}

export async function findBatch(deps: ApiDeps, orgId: string, batchId: string): Promise<BatchDoc> {
  const batch = await deps.db.collections.batches.findOne({ _id: batchId, org_id: orgId });
  if (!batch) throw notFound('Batch not found.');
  return batch;
}

/** POST /v1/batches: stores the rows and starts the batch workflow. With test_mode, also the first row's Send Call body. */
export async function startBatch(deps: ApiDeps, orgId: string, p: BatchParams, encryptedKey: string | null): Promise<{ batch: BatchDoc; firstCall: Record<string, unknown> | null }> {
  const batch = await createBatch(createBatchDeps(deps), { orgId, ...p, encryptedKey });
  const first = p.rows[0]!;
  return { batch, firstCall: p.testMode ? { phone_number: first.phone_number, ...rowCallBody(batch, first) } : null };
}

/** The `stopBatch` update: undialled rows are cancelled and live calls stopped; answers how many. */
export async function stopBatch(deps: ApiDeps, orgId: string, batchId: string): Promise<{ batchId: string; numCalls: number }> {
  const batch = await findBatch(deps, orgId, batchId);
  if (batch.status === 'completed') throw new ApiError(409, 'All calls of this batch have already completed.');
  try {
    const r = await deps.temporal.workflow.getHandle(batchWorkflowId(batch.batch_id)).executeUpdate(stopBatchUpdate, { args: [{ reason: 'api: stop batch' }] });
    return { batchId: batch.batch_id, numCalls: r.numCalls };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || err instanceof WorkflowUpdateFailedError) throw new ApiError(409, 'The batch is no longer running.');
    throw err;
  }
}

/** The `batchProgress` query of the batch workflow: its live window. */
export async function batchProgress(deps: ApiDeps, orgId: string, batchId: string): Promise<{ batch: BatchDoc; progress: BatchProgress }> {
  const batch = await findBatch(deps, orgId, batchId);
  try {
    return { batch, progress: await deps.temporal.workflow.getHandle(batchWorkflowId(batch.batch_id)).query(batchProgressQuery) };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw notFound('The batch workflow is not known to Temporal.');
    throw err;
  }
}

/** POST /v1/batches/{batch_id}/replay: the rows whose calls ended in `statuses`, as a new batch linked by `replay_of`. */
export async function replayBatchRows(deps: ApiDeps, orgId: string, batchId: string, r: ReplayParams, encryptedKey: string | null): Promise<{ batch: BatchDoc; rows: number; original: BatchDoc }> {
  const original = await findBatch(deps, orgId, batchId);
  if (original.status !== 'completed') throw new ApiError(409, 'The batch is still in progress; replay it once it has completed (or stop it first).');
  const replay = await replayBatch(createBatchDeps(deps), { orgId, original, ...r, encryptedKey });
  if (!replay.batch) throw new ApiError(409, `No call of this batch ended in: ${r.statuses.join(', ')}.`);
  return { batch: replay.batch, rows: replay.rows, original };
}

/**
 * POST /v1/calls/{call_id}/replay: a batch's call becomes a one-row batch linked by `replay_of`; a call
 * sent on its own becomes a new call with the same parameters. Either way `overrides` replace parameters.
 */
export async function replayCall(
  deps: ApiDeps,
  orgId: string,
  callId: string,
  r: ReplayParams,
  encryptedKey: string | null,
): Promise<{ kind: 'batch'; batchId: string | null; replayOf: string } | { kind: 'call'; callId: string; replayOf: string }> {
  const call = await deps.db.collections.calls.findOne({ _id: callId, org_id: orgId });
  if (!call) throw notFound('Call not found.');
  if (!call.completed) throw new ApiError(409, 'The call has not ended yet; replay it once it is complete.');
  if (call.batch_id && typeof call.batch_row === 'number') {
    const original = await deps.db.collections.batches.findOne({ _id: call.batch_id, org_id: orgId });
    if (!original) throw notFound('The batch of this call no longer exists.');
    const replay = await replayBatch(createBatchDeps(deps), { orgId, original, ...r, indices: [call.batch_row], encryptedKey });
    return { kind: 'batch', batchId: replay.batch?.batch_id ?? null, replayOf: call.call_id };
  }
  // The stored request checked again with the overrides, exactly as POST /v1/calls checks a body.
  const checked = validateSendCall({ ...call.request_data, ...r.overrides, phone_number: call.to });
  if (!checked.ok) throw badRequest(checked.errors);
  const created = await createCall(deps, orgId, checked.value, { idempotencyKey: null, encryptedKey });
  return { kind: 'call', callId: created.callId, replayOf: call.call_id };
}
