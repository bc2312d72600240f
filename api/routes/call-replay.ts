import { Router } from 'express';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { replayCallEndpoint } from '../endpoints/batches';
import { replayParams } from '../schemas/batch';
import { replayCall } from '../services/batches';

/**
 * POST /v1/calls/{call_id}/replay: dial one finished call again (docs/operations.md, "Replaying
 * failed calls").
 */
export function callReplayRouter(deps: ApiDeps): Router {
  const router = Router();
  mountEndpoint(router, replayCallEndpoint, async ({ params, headers, body }, req, res) => {
    const r = await replayCall(deps, req.orgId, params.call_id, replayParams(body), headers.encrypted_key ?? null);
    if (r.kind === 'batch') res.json({ status: 'success', message: 'Call replayed as a one-row batch.', batch_id: r.batchId, replay_of: r.replayOf });
    else res.json({ status: 'success', message: 'Call replayed.', call_id: r.callId, batch_id: null, replay_of: r.replayOf });
  });
  return router;
}
