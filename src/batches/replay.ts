import type { CallDoc } from '../db/types';
import { createBatch, readRows, type CreateBatchDeps } from './create-batch';
import type { BatchDoc } from './types';

/**
 * Replay (docs/operations.md, "Replaying failed calls"): the rows of a batch whose calls ended in the
 * chosen outcomes are dialled again as a new batch linked by `replay_of`.
 */

export type ReplayCallFields = Pick<CallDoc, 'queue_status' | 'status' | 'answered_by'> & { batch_row?: number };

/** Does a finished call match one of the replay outcomes? `canceled` also covers rows a stop left undialled. */
export function matchesReplay(call: ReplayCallFields, outcomes: string[]): boolean {
  return outcomes.some((o) => {
    switch (o) {
      case 'error':
        return call.queue_status.endsWith('_error');
      case 'voicemail':
        return call.answered_by === 'voicemail';
      default:
        return call.status === o;
    }
  });
}

/** Row indices to replay, in row order: matching calls, and with `canceled` the rows never dialled. */
export function replayIndices(batch: Pick<BatchDoc, 'dial_rows' | 'status'>, calls: ReplayCallFields[], outcomes: string[]): number[] {
  const picked = new Set<number>();
  const dialled = new Set<number>();
  for (const c of calls) {
    if (typeof c.batch_row !== 'number') continue;
    dialled.add(c.batch_row);
    if (matchesReplay(c, outcomes)) picked.add(c.batch_row);
  }
  if (outcomes.includes('canceled') && batch.status === 'completed') {
    for (let i = 0; i < batch.dial_rows; i += 1) if (!dialled.has(i)) picked.add(i);
  }
  return [...picked].sort((a, b) => a - b);
}

export interface ReplayRequest {
  orgId: string;
  original: BatchDoc;
  statuses: string[];
  overrides: Record<string, unknown>;
  label: string | null;
  maxConcurrency: number | null;
  batchWebhook: string | null;
  /** Only these rows (POST /v1/calls/{id}/replay); otherwise chosen by `statuses`. */
  indices?: number[];
  encryptedKey: string | null;
}

export async function replayBatch(deps: CreateBatchDeps, r: ReplayRequest): Promise<{ batch: BatchDoc; rows: number } | { batch: null; rows: 0 }> {
  let indices = r.indices;
  if (!indices) {
    const calls = (await deps.db.collections.calls
      .find({ org_id: r.orgId, batch_id: r.original.batch_id }, { projection: { queue_status: 1, status: 1, answered_by: 1, batch_row: 1, completed: 1 } })
      .toArray()) as Array<ReplayCallFields & { completed: boolean }>;
    indices = replayIndices(r.original, calls.filter((c) => c.completed), r.statuses);
  }
  if (indices.length === 0) return { batch: null, rows: 0 };
  const rows: Array<Record<string, unknown>> = [];
  // Read rows chunk by chunk, in order, without loading the whole batch at once.
  const wanted = new Set(indices);
  const last = indices[indices.length - 1]!;
  for (let from = indices[0]!; from <= last; from += 5000) {
    for (const { index, row } of await readRows(deps.db, r.orgId, r.original.batch_id, from, Math.min(5000, last + 1 - from))) {
      if (wanted.has(index)) rows.push(row);
    }
  }
  const batch = await createBatch(deps, {
    orgId: r.orgId,
    basePrompt: r.original.base_prompt,
    callParams: { ...r.original.call_params, ...r.overrides },
    rows,
    skipped: [],
    label: r.label ?? `Replay of ${r.original.label ?? r.original.batch_id}`,
    campaignId: r.original.campaign_id,
    testMode: false,
    batchWebhook: r.batchWebhook ?? r.original.batch_webhook,
    maxConcurrency: r.maxConcurrency ?? r.original.max_concurrency,
    encryptedKey: r.encryptedKey ?? r.original.encrypted_key,
    replayOf: { batchId: r.original.batch_id, statuses: r.indices ? ['call'] : r.statuses },
  });
  return { batch, rows: rows.length };
}
