import { Router } from 'express';
import { callEvent } from '../../src/presenters/call-event';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { getEventStream } from '../endpoints/call-actions';
import { notFound } from '../errors';
import { liveCallState } from '../services/live-call';

/** GET /v1/event_stream/{id}: the call's events in order, as written at every step of its workflow. */
export function callEventsRouter(deps: ApiDeps): Router {
  const router = Router();
  mountEndpoint(router, getEventStream, async ({ params }, req, res) => {
    const id = params.call_id;
    const call = await deps.db.collections.calls.findOne({ _id: id, org_id: req.orgId });
    if (!call) throw notFound('Call not found.');
    const [events, live] = await Promise.all([
      deps.db.collections.callEvents.find({ org_id: req.orgId, call_id: id }).sort({ timestamp: 1 }).limit(5000).toArray(),
      liveCallState(deps, call),
    ]);
    const stored = events.map(callEvent);
    // A live call's latest turns are written in batches; until then they come from its workflow.
    // A batch written between the two reads is in both: the stored copy stands (its time is the event's, plus its index in ms).
    const storedAt = new Map(stored.map((e) => [`${e.level}|${e.category}|${e.message}`, Date.parse(e.timestamp)]));
    const pending = (live?.pendingEvents ?? [])
      .filter((e) => !(Math.abs((storedAt.get(`${e.level}|${e.category}|${e.message}`) ?? -Infinity) - Date.parse(e.at)) < 1000))
      .map((e) => ({ level: e.level, category: e.category, message: e.message, call_id: id, timestamp: e.at }));
    res.json([...stored, ...pending].sort((a, b) => a.timestamp.localeCompare(b.timestamp)));
  });
  return router;
}
