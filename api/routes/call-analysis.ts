import { Router } from 'express';
import { callAnalysis } from '../../src/presenters/analysis';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { analyzeCall } from '../endpoints/analysis';
import { conflict, notFound } from '../errors';
import { analyzeCall as runCallAnalysis } from '../services/analyze';

export { ANALYZE_LIMITS } from '../schemas/analyze';

/** POST /v1/calls/{id}/analyze: answered by a short workflow, since the API makes no model call itself. */
export function callAnalysisRouter(deps: ApiDeps): Router {
  const router = Router();
  mountEndpoint(router, analyzeCall, async ({ params, body }, req, res) => {
    const id = params.call_id;
    const call = await deps.db.collections.calls.findOne({ _id: id, org_id: req.orgId }, { projection: { completed: 1 } });
    if (!call) throw notFound('Call not found.');
    if (!call.completed) throw conflict('The call has not ended yet; analyze it once it is complete.');
    res.json(callAnalysis(await runCallAnalysis(deps, req.orgId, id, body)));
  });
  return router;
}
