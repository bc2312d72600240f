import { Router } from 'express';
import { readBatchCalls } from '../../src/batches/batch-calls';
import { createPageAnchors, newestPage } from '../../src/db/newest-page';
import { batchDetail, batchListItem } from '../../src/presenters/batch';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { getBatch, listBatches, sendBatch } from '../endpoints/batches';
import { batchParams, listBatchesPage } from '../schemas/batch';
import { findBatch, startBatch } from '../services/batches';

// Named where other modules (the app, the OpenAPI test) have always found them.
export { MAX_BATCH_LIST_LIMIT } from '../schemas/batch';
export { DEFAULT_BATCH_SETTINGS } from '../services/batches';

/** POST /v1/batches, GET /v1/batches, GET /v1/batches/{batch_id}. */
export function batchesRouter(deps: ApiDeps): Router {
  const router = Router();
  const { batches } = deps.db.collections;
  const anchors = createPageAnchors();

  mountEndpoint(router, sendBatch, async ({ headers, body }, req, res) => {
    const p = batchParams(body);
    const { batch, firstCall } = await startBatch(deps, req.orgId, p, headers.encrypted_key ?? null);
    res.json({
      message: 'success',
      batch_id: batch.batch_id,
      ...(p.skipped.length > 0 ? { skipped_rows: p.skipped } : {}),
      // test_mode: only the first row is dialled; show exactly what it will get.
      ...(firstCall ? { test_mode: { dialled_rows: 1, rows_received: p.rows.length, first_call: firstCall } } : {}),
      ...(p.warnings.length > 0 ? { warnings: p.warnings } : {}),
    });
  });

  mountEndpoint(router, listBatches, async ({ query }, req, res) => {
    const { filter, skip, limit, ascending } = listBatchesPage(req.orgId, query);
    // The organisation's newest batches: from recent ranges of `{org_id, created_at}` (src/db/newest-page.ts).
    const newest = !ascending && filter.campaign_id === undefined;
    const docs =
      limit === 0
        ? []
        : newest
          ? await newestPage(batches, { filter, skip, limit, now: Date.now() }, { cache: anchors, key: `${req.orgId}|${skip}|${limit}` })
          : await batches.find(filter).sort({ created_at: ascending ? 1 : -1 }).skip(skip).limit(limit).toArray();
    res.json({ status: 'success', batches: docs.map(batchListItem) });
  });

  mountEndpoint(router, getBatch, async ({ params, query }, req, res) => {
    const opts = {
      includeCalls: query.include_calls ?? true,
      includeTranscripts: query.include_transcripts ?? true,
      includeAnalysis: query.include_analysis ?? true,
    };
    const batch = await findBatch(deps, req.orgId, params.batch_id);
    const { calls: docs, lines } = await readBatchCalls(deps.db, req.orgId, batch.batch_id, opts);
    res.json(batchDetail(batch, docs, lines, opts));
  });

  return router;
}
