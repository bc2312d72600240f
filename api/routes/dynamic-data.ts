import { Router } from 'express';
import { DEFAULT_DYNAMIC_DATA_TEST_BUDGET_MS, runDynamicData } from '../../src/dynamic-data/run';
import { dynamicDataRun } from '../../src/presenters/dynamic-data';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { dynamicDataBody, testDynamicData } from '../endpoints/tools';
import { outboundOf } from '../services/outbound';

/**
 * POST /v1/dynamic_data/test: runs a `dynamic_data` array as a call would (in order, chained,
 * cached, behind the same SSRF guard and allow-list) without placing a call, and answers the
 * configuration, each raw response and the parsed variables. `variables` (or `request_data`)
 * stand in for the call's variables, e.g. `{"phone_number": "+15551234567"}`.
 *
 * Unlike a call, the request has a total time budget (DYNAMIC_DATA_TEST_BUDGET_MS, 30 s): 20
 * entries of up to 60 s each would otherwise hold one HTTP request for 20 minutes. Each entry's
 * timeout is clipped to what is left, and the entries not reached are answered as `not_run`.
 */
export function dynamicDataRouter(deps: ApiDeps): Router {
  const router = Router();
  const { http, allowList } = outboundOf(deps);
  mountEndpoint(router, { ...testDynamicData, body: dynamicDataBody({ allowList }) }, async ({ body }, req, res) => {
    const budgetMs = deps.dynamicData?.testBudgetMs ?? DEFAULT_DYNAMIC_DATA_TEST_BUDGET_MS;
    const outcome = await runDynamicData(http, body.dynamic_data, body.variables ?? body.request_data ?? {}, { budgetMs });
    res.json({
      status: 'success',
      config: (req.body as { dynamic_data: unknown[] }).dynamic_data,
      responses: outcome.runs.map(dynamicDataRun),
      variables: outcome.variables,
      context: outcome.context,
    });
  });
  return router;
}
