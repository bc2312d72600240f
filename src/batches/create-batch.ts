import type { Client } from '@temporalio/client';
import type { ResolvedCallConfig } from '../calls/call-config';
import type { CallDefaults } from '../calls/call-input';
import type { Database } from '../db/database';
import type { Logger } from '../logger';
import { batchWorkflowId, type BatchWorkflowInput } from '../workflow-api/batch';
import { SA } from '../workflow-api/search-attributes';
import { newBatchId, ROWS_PER_CHUNK, rowChunkId } from './ids';
import type { BatchDoc, BatchRowChunkDoc } from './types';

/** What the API hands to createBatch: the store, Temporal, and the deployment's call and batch defaults. */
export interface CreateBatchDeps {
  db: Database;
  temporal: Client;
  taskQueue: string;
  logger: Logger;
  publicBaseUrl: string;
  callDefaults: CallDefaults;
  batches: { maxConcurrency: number; dialsPerSecond: number };
  /** Checks encrypted_key and resolves tools, dynamic_data and the pathway, as POST /v1/calls does; throws a 4xx. */
  resolveCallConfig: (orgId: string, callParams: Record<string, unknown>, encryptedKey: string | null) => Promise<ResolvedCallConfig>;
  /** The save-time rule for user-chosen URLs, for `batch_webhook`; throws a 4xx. */
  checkWebhookUrl: (url: string, label: string) => void;
}

export interface NewBatch {
  orgId: string;
  basePrompt: string;
  callParams: Record<string, unknown>;
  rows: Array<Record<string, unknown>>;
  skipped: Array<{ index: number; reason: string }>;
  label: string | null;
  campaignId: string | null;
  testMode: boolean;
  batchWebhook: string | null;
  maxConcurrency: number | null;
  encryptedKey: string | null;
  replayOf?: { batchId: string; statuses: string[] };
}

/** Children started per activity round trip: bounds each activity result and each workflow task. */
export const BATCH_GROUP_SIZE = 25;

/** The row's Send Call body: the batch's parameters, the row's number, and the row's properties as variables. */
export function rowCallBody(batch: Pick<BatchDoc, 'base_prompt' | 'call_params' | 'campaign_id'>, row: Record<string, unknown>): Record<string, unknown> {
  const base = batch.call_params;
  const requestData = { ...((base.request_data as Record<string, unknown>) ?? {}), ...row };
  return {
    ...base,
    task: batch.base_prompt,
    phone_number: row.phone_number,
    request_data: requestData,
    ...(batch.campaign_id ? { campaign_id: batch.campaign_id } : {}),
  };
}

/**
 * Stores the rows (in chunks), the batch document, then starts `batch-<id>`. If the start fails the
 * rows and the document are removed again, so nothing is half-created.
 */
export async function createBatch(deps: CreateBatchDeps, b: NewBatch): Promise<BatchDoc> {
  // Before anything is stored: a bad webhook, key, tool or pathway refuses the whole batch.
  if (b.batchWebhook) deps.checkWebhookUrl(b.batchWebhook, 'batch_webhook');
  const callConfig = await deps.resolveCallConfig(b.orgId, b.callParams, b.encryptedKey);
  const batchId = newBatchId();
  const { batches, batchRows } = deps.db.collections;
  const chunks: BatchRowChunkDoc[] = [];
  for (let first = 0, chunk = 0; first < b.rows.length; first += ROWS_PER_CHUNK, chunk += 1) {
    chunks.push({ _id: rowChunkId(batchId, chunk), org_id: b.orgId, batch_id: batchId, chunk, first_index: first, rows: b.rows.slice(first, first + ROWS_PER_CHUNK) });
  }
  const maxConcurrency = b.maxConcurrency ?? deps.batches.maxConcurrency;
  const startTime = typeof b.callParams.start_time === 'string' ? b.callParams.start_time : null;
  const doc: BatchDoc = {
    _id: batchId, org_id: b.orgId, batch_id: batchId,
    label: b.label, campaign_id: b.campaignId, base_prompt: b.basePrompt,
    // start_time schedules the batch as a whole; each call then starts when the window reaches it.
    call_params: Object.fromEntries(Object.entries(b.callParams).filter(([k]) => k !== 'start_time')),
    endpoint_code: 'api', created_at: new Date(), status: 'in-progress',
    total_rows: b.rows.length, dial_rows: b.testMode ? 1 : b.rows.length, test_mode: b.testMode,
    max_concurrency: maxConcurrency, batch_webhook: b.batchWebhook, start_time: startTime,
    replay_of: b.replayOf?.batchId ?? null, replay_statuses: b.replayOf?.statuses ?? null,
    skipped_rows: b.skipped.slice(0, 1000), workflow_id: batchWorkflowId(batchId), stopped: false, completed_at: null,
    // What the worker needs to build each call exactly as POST /v1/calls would.
    call_defaults: deps.callDefaults, webhook_base_url: deps.publicBaseUrl, encrypted_key: b.encryptedKey,
    call_config_json: JSON.stringify(callConfig),
  };
  const input: BatchWorkflowInput = {
    batchId, orgId: b.orgId, campaignId: b.campaignId, totalRows: doc.dial_rows, maxConcurrency,
    dialsPerSecond: deps.batches.dialsPerSecond, startTime, groupSize: BATCH_GROUP_SIZE,
  };
  try {
    for (let i = 0; i < chunks.length; i += 20) await batchRows.insertMany(chunks.slice(i, i + 20), { ordered: true });
    await batches.insertOne(doc);
    await deps.temporal.workflow.start('batchWorkflow', {
      taskQueue: deps.taskQueue,
      workflowId: doc.workflow_id,
      args: [input],
      typedSearchAttributes: [
        { key: SA.BatchId, value: batchId },
        { key: SA.OrgId, value: b.orgId },
        ...(b.campaignId ? [{ key: SA.CampaignId, value: b.campaignId }] : []),
      ],
      memo: { label: b.label ?? '', rows: doc.dial_rows, org_id: b.orgId, ...(doc.replay_of ? { replay_of: doc.replay_of } : {}) },
    });
  } catch (err) {
    deps.logger.error({ err, batchId }, 'batch creation failed; removing its rows');
    await removeUnstarted(deps, b.orgId, batchId);
    throw err;
  }
  return doc;
}

/**
 * Removes a batch that never started: its rows and its document, each tried whatever the other
 * did. What cannot be removed is logged with the batch's ID (the caller already has the error): a
 * document left behind stays `queued` with no workflow, rows left behind are never read.
 */
async function removeUnstarted(deps: CreateBatchDeps, orgId: string, batchId: string): Promise<void> {
  const { batches, batchRows } = deps.db.collections;
  const removals = await Promise.allSettled([batchRows.deleteMany({ org_id: orgId, batch_id: batchId }), batches.deleteOne({ _id: batchId, org_id: orgId })]);
  for (const [i, r] of removals.entries()) {
    if (r.status === 'rejected') deps.logger.error({ err: r.reason, batchId }, `a batch that never started left its ${i === 0 ? 'rows' : 'document'} behind`);
  }
}

/** Rows [from, from+count) of a batch, read chunk by chunk by `_id`. */
export async function readRows(db: Database, orgId: string, batchId: string, from: number, count: number): Promise<Array<{ index: number; row: Record<string, unknown> }>> {
  const firstChunk = Math.floor(from / ROWS_PER_CHUNK);
  const lastChunk = Math.floor((from + count - 1) / ROWS_PER_CHUNK);
  const ids = [];
  for (let c = firstChunk; c <= lastChunk; c += 1) ids.push(rowChunkId(batchId, c));
  const docs = await db.collections.batchRows.find({ _id: { $in: ids }, org_id: orgId }).toArray();
  const out: Array<{ index: number; row: Record<string, unknown> }> = [];
  for (const d of docs.sort((a, b) => a.chunk - b.chunk)) {
    d.rows.forEach((row, i) => {
      const index = d.first_index + i;
      if (index >= from && index < from + count) out.push({ index, row });
    });
  }
  return out;
}
