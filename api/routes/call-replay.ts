import { Router } from 'express';
import { replayBatch } from '../../src/batches/replay';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest, notFound } from '../errors';
import { validateReplay } from '../schemas/batch';
import { validateSendCall } from '../schemas/send-call';
import { createCall } from '../services/create-call';
import { createBatchDeps } from './batches';

/**
 * POST /v1/calls/{id}/replay: dial one finished call again. A batch's call becomes a one-row batch
 * linked by `replay_of`; a call sent on its own becomes a new call with the same parameters.
 * Either way `overrides` replace parameters (docs/operations.md, "Replaying failed calls").
 */
export function callReplayRouter(deps: ApiDeps): Router {
  const router = Router();
  router.post('/v1/calls/:id/replay', async (req, res) => {
    const v = validateReplay(req.body);
    if (!v.ok) throw badRequest(v.errors);
    const id = String(req.params.id);
    const call = await deps.db.collections.calls.findOne({ _id: id, org_id: req.orgId });
    if (!call) throw notFound('Call not found.');
    if (!call.completed) throw new ApiError(409, 'The call has not ended yet; replay it once it is complete.');
    const encryptedKey = req.get('encrypted_key') ?? null;
    if (call.batch_id && typeof call.batch_row === 'number') {
      const original = await deps.db.collections.batches.findOne({ _id: call.batch_id, org_id: req.orgId });
      if (!original) throw notFound('The batch of this call no longer exists.');
      const r = await replayBatch(createBatchDeps(deps), { orgId: req.orgId, original, ...v.value, indices: [call.batch_row], encryptedKey });
      res.json({ status: 'success', message: 'Call replayed as a one-row batch.', batch_id: r.batch?.batch_id ?? null, replay_of: call.call_id });
      return;
    }
    const body = { ...call.request_data, ...v.value.overrides, phone_number: call.to };
    const checked = validateSendCall(body);
    if (!checked.ok) throw badRequest(checked.errors);
    const { callId } = await createCall(deps, req.orgId, checked.value, { idempotencyKey: null, encryptedKey });
    res.json({ status: 'success', message: 'Call replayed.', call_id: callId, batch_id: null, replay_of: call.call_id });
  });
  return router;
}
