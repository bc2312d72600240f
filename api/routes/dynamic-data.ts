import { Router } from 'express';
import { DEFAULT_DYNAMIC_DATA_TEST_BUDGET_MS, runDynamicData } from '../../src/dynamic-data/run';
import { validateDynamicData } from '../../src/dynamic-data/validate';
import { isPlainObject } from '../schemas/field-checks';
import type { ApiDeps } from '../deps';
import { badRequest } from '../errors';
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
  router.post('/v1/dynamic_data/test', async (req, res) => {
    const body: unknown = req.body;
    if (!isPlainObject(body)) throw badRequest(['Request body must be a JSON object.']);
    const list = body.dynamic_data;
    if (list === undefined) throw badRequest(['Missing required parameter: dynamic_data.']);
    const given = body.variables ?? body.request_data;
    if (given !== undefined && !isPlainObject(given)) throw badRequest(['variables must be an object.']);
    const { http, allowList } = outboundOf(deps);
    const checked = validateDynamicData(list, { allowList });
    if (!checked.ok) throw badRequest(checked.errors);
    const budgetMs = deps.dynamicData?.testBudgetMs ?? DEFAULT_DYNAMIC_DATA_TEST_BUDGET_MS;
    const outcome = await runDynamicData(http, checked.requests, (given as Record<string, unknown>) ?? {}, { budgetMs });
    res.json({
      status: 'success',
      config: list,
      responses: outcome.runs.map((r) => ({
        index: r.index, url: r.url, method: r.method, ok: r.ok, status: r.status, cached: r.cached,
        duration_ms: r.durationMs, response: r.response, variables: r.variables, error: r.error,
      })),
      variables: outcome.variables,
      context: outcome.context,
    });
  });
  return router;
}
