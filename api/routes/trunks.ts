import { Router } from 'express';
import { trunkView } from '../../src/presenters/trunk';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { createTrunk, deleteTrunk, getTrunk, listTrunks } from '../endpoints/trunks';
import * as trunks from '../services/trunks';

const MAX_LISTED = 1000;

/** SIP trunks (/v1/trunks): the peers POST /sessions sends its legs to, by name. */
export function trunksRouter(deps: ApiDeps): Router {
  const router = Router();
  mountEndpoint(router, createTrunk, async ({ body }, req, res) => {
    res.json({ status: 'success', trunk: trunkView(await trunks.createTrunk(deps, req.orgId, body)) });
  });
  mountEndpoint(router, listTrunks, async (_input, req, res) => {
    const docs = await deps.db.collections.trunks.find({ org_id: req.orgId }).sort({ name: 1 }).limit(MAX_LISTED).toArray();
    res.json({ status: 'success', trunks: docs.map(trunkView) });
  });
  mountEndpoint(router, getTrunk, async ({ params }, req, res) => {
    res.json({ status: 'success', trunk: trunkView(await trunks.ownTrunk(deps, req.orgId, params.trunk_id)) });
  });
  mountEndpoint(router, deleteTrunk, async ({ params }, req, res) => {
    await trunks.deleteTrunk(deps, req.orgId, params.trunk_id);
    res.json({ status: 'success', message: 'Trunk deleted' });
  });
  return router;
}
