import { Router } from 'express';
import { createBatch, rowCallBody, type CreateBatchDeps } from '../../src/batches/create-batch';
import type { TranscriptDoc } from '../../src/db/types';
import type { ApiDeps } from '../deps';
import { badRequest, notFound } from '../errors';
import { validateBatch } from '../schemas/batch';
import { resolveCallConfig } from '../services/call-config';
import { urlCheck } from '../services/outbound';
import { batchDetail, batchListItem } from './batches-view';

export const DEFAULT_BATCH_SETTINGS = { bodyLimitBytes: 64 * 1_048_576, maxConcurrency: 50, dialsPerSecond: 20 };

export function createBatchDeps(deps: ApiDeps): CreateBatchDeps {
  return {
    db: deps.db, temporal: deps.temporal, taskQueue: deps.taskQueue, logger: deps.logger,
    publicBaseUrl: deps.publicBaseUrl, callDefaults: deps.callDefaults, batches: deps.batches ?? DEFAULT_BATCH_SETTINGS,
    resolveCallConfig: (orgId, callParams, encryptedKey) => resolveCallConfig(deps, orgId, callParams, encryptedKey),
    checkWebhookUrl: (url, label) => {
      const problem = urlCheck(deps)(url, label);
      if (problem) throw badRequest([problem]);
    },
  };
}

const INTEGER = /^\d{1,9}$/;

/** GET /v1/batches: the seed's default `limit`, and its largest; a larger one is a 400, as /openapi.json says. */
export const MAX_BATCH_LIST_LIMIT = 1000;

function boolParam(q: Record<string, unknown>, key: string, fallback: boolean, errors: string[]): boolean {
  const v = q[key];
  if (v === undefined) return fallback;
  if (v !== 'true' && v !== 'false') errors.push(`${key} must be true or false.`);
  return v === 'true';
}

/** POST /v1/batches, GET /v1/batches, GET /v1/batches/{id}. */
export function batchesRouter(deps: ApiDeps): Router {
  const router = Router();
  const { batches, calls, transcripts } = deps.db.collections;

  router.post('/v1/batches', async (req, res) => {
    const v = validateBatch(req.body);
    if (!v.ok) throw badRequest(v.errors);
    const p = v.value;
    const batch = await createBatch(createBatchDeps(deps), { orgId: req.orgId, ...p, encryptedKey: req.get('encrypted_key') ?? null });
    res.json({
      message: 'success',
      batch_id: batch.batch_id,
      ...(p.skipped.length > 0 ? { skipped_rows: p.skipped } : {}),
      ...(p.testMode
        ? {
            // test_mode: only the first row is dialled; show exactly what it will get.
            test_mode: {
              dialled_rows: 1,
              rows_received: p.rows.length,
              first_call: { phone_number: p.rows[0]!.phone_number, ...rowCallBody(batch, p.rows[0]!) },
            },
          }
        : {}),
    });
  });

  router.get('/v1/batches', async (req, res) => {
    const q = req.query as Record<string, unknown>;
    const errors: string[] = [];
    const int = (key: string): number | undefined => {
      const raw = q[key];
      if (raw === undefined) return undefined;
      if (typeof raw !== 'string' || !INTEGER.test(raw)) {
        errors.push(`${key} must be a non-negative integer.`);
        return undefined;
      }
      return Number(raw);
    };
    const from = int('from') ?? 0;
    const to = int('to');
    const limit = int('limit') ?? MAX_BATCH_LIST_LIMIT;
    if (limit > MAX_BATCH_LIST_LIMIT) errors.push(`limit must be at most ${MAX_BATCH_LIST_LIMIT}.`);
    const ascending = boolParam(q, 'ascending', false, errors);
    if (q.campaign_id !== undefined && typeof q.campaign_id !== 'string') errors.push('campaign_id must be given once.');
    if (to !== undefined && to < from) errors.push('to must not be less than from.');
    if (errors.length > 0) throw badRequest(errors);
    const filter = { org_id: req.orgId, ...(typeof q.campaign_id === 'string' ? { campaign_id: q.campaign_id.slice(0, 200) } : {}) };
    const n = Math.max(0, Math.min(limit, to !== undefined ? to - from : limit));
    const docs = n === 0 ? [] : await batches.find(filter).sort({ created_at: ascending ? 1 : -1 }).skip(from).limit(n).toArray();
    res.json({ status: 'success', batches: docs.map(batchListItem) });
  });

  router.get('/v1/batches/:id', async (req, res) => {
    const q = req.query as Record<string, unknown>;
    const errors: string[] = [];
    const opts = {
      includeCalls: boolParam(q, 'include_calls', true, errors),
      includeTranscripts: boolParam(q, 'include_transcripts', true, errors),
      includeAnalysis: boolParam(q, 'include_analysis', true, errors),
    };
    if (errors.length > 0) throw badRequest(errors);
    const batch = await batches.findOne({ _id: String(req.params.id), org_id: req.orgId });
    if (!batch) throw notFound('Batch not found.');
    const docs = (await calls.find({ org_id: req.orgId, batch_id: batch.batch_id }).toArray()).sort((a, b) => (a.batch_row ?? 0) - (b.batch_row ?? 0));
    const lines = new Map<string, TranscriptDoc[]>();
    if (opts.includeCalls && opts.includeTranscripts) {
      for (let i = 0; i < docs.length; i += 500) {
        const ids = docs.slice(i, i + 500).map((c) => c.call_id);
        for (const t of await transcripts.find({ org_id: req.orgId, call_id: { $in: ids } }).sort({ seq: 1 }).toArray()) {
          lines.set(t.call_id, [...(lines.get(t.call_id) ?? []), t]);
        }
      }
    }
    res.json(batchDetail(batch, docs, lines, opts));
  });

  return router;
}
