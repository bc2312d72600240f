import { Router } from 'express';
import type { ApiDeps } from '../deps';
import { notFound } from '../errors';

/** GET /v1/event_stream/{id}: the call's events in order, as written at every step of its workflow. */
export function callEventsRouter(deps: ApiDeps): Router {
  const router = Router();
  router.get('/v1/event_stream/:id', async (req, res) => {
    const id = String(req.params.id);
    const exists = await deps.db.collections.calls.countDocuments({ _id: id, org_id: req.orgId }, { limit: 1 });
    if (!exists) throw notFound('Call not found.');
    const events = await deps.db.collections.callEvents
      .find({ org_id: req.orgId, call_id: id })
      .sort({ timestamp: 1 })
      .limit(5000)
      .toArray();
    res.json(
      events.map((e) => ({
        level: e.level,
        category: e.category,
        message: e.message,
        call_id: e.call_id,
        timestamp: e.timestamp.toISOString(),
      })),
    );
  });
  return router;
}
