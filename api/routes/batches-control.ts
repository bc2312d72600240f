import { Router } from 'express';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { batchProgressEndpoint, replayBatchEndpoint, stopBatchEndpoint } from '../endpoints/batches';
import { replayParams } from '../schemas/batch';
import { batchProgress, replayBatchRows, stopBatch } from '../services/batches';

/** Stop, progress and replay of a batch: an update, a query, and a new batch linked to the old one. */
export function batchesControlRouter(deps: ApiDeps): Router {
  const router = Router();

  mountEndpoint(router, stopBatchEndpoint, async ({ params }, req, res) => {
    const r = await stopBatch(deps, req.orgId, params.batch_id);
    res.json({ status: 'success', message: 'Successfully stopped batch', num_calls: r.numCalls, batch_id: r.batchId });
  });

  mountEndpoint(router, batchProgressEndpoint, async ({ params }, req, res) => {
    const { batch, progress: p } = await batchProgress(deps, req.orgId, params.batch_id);
    res.json({
      status: 'success', batch_id: batch.batch_id, batch_status: batch.status,
      queued: p.queued, live: p.live, done: p.done, queue_statuses: p.queueStatuses, statuses: p.statuses,
      stopped: p.stopped, cancelled_rows: p.cancelledRows, calls_per_second: p.callsPerSecond, run: p.run,
    });
  });

  mountEndpoint(router, replayBatchEndpoint, async ({ params, headers, body }, req, res) => {
    const replay = replayParams(body);
    const r = await replayBatchRows(deps, req.orgId, params.batch_id, replay, headers.encrypted_key ?? null);
    res.json({ message: 'success', batch_id: r.batch.batch_id, replay_of: r.original.batch_id, num_calls: r.rows, statuses: replay.statuses });
  });

  return router;
}
