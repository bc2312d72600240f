import { Router } from 'express';
import { batchAnalysis, storedAnalysis } from '../../src/presenters/analysis';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { analyzeBatch, getBatchAnalysis } from '../endpoints/analysis';
import { conflict, notFound } from '../errors';
import { analyzeBatch as runBatchAnalysis } from '../services/analyze';

/** Calls one analyze request covers at most; a larger batch answers for the first ones (docs/batches.md). */
export const MAX_ANALYZED_CALLS = 2000;

/** POST /v1/batches/{id}/analyze (a workflow: the API makes no model call) and GET /v1/batches/{id}/analysis. */
export function batchesAnalysisRouter(deps: ApiDeps): Router {
  const router = Router();
  const { batches, calls, batchAnalyses } = deps.db.collections;

  mountEndpoint(router, analyzeBatch, async ({ params, body }, req, res) => {
    const batch = await batches.findOne({ _id: params.batch_id, org_id: req.orgId });
    if (!batch) throw notFound('Batch not found.');
    // The batch's index answers {org_id, batch_id}; `completed` is filtered here, so no store picks the completed index instead.
    const done = (await calls.find({ org_id: req.orgId, batch_id: batch.batch_id }, { projection: { _id: 1, completed: 1 } }).toArray())
      .filter((c) => c.completed)
      .slice(0, MAX_ANALYZED_CALLS);
    if (done.length === 0) throw conflict('No call of this batch has completed yet.');
    const answers = await runBatchAnalysis(deps, req.orgId, batch.batch_id, done.map((c) => c._id), body);
    res.json(batchAnalysis(answers));
  });

  mountEndpoint(router, getBatchAnalysis, async ({ params }, req, res) => {
    const batch = await batches.findOne({ _id: params.batch_id, org_id: req.orgId });
    if (!batch) throw notFound('Batch not found.');
    const docs = await batchAnalyses.find({ org_id: req.orgId, batch_id: batch.batch_id }).toArray();
    res.json({ status: 'success', message: 'Successfully fetched analyses', analysis: docs.map(storedAnalysis) });
  });

  return router;
}
