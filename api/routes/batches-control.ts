import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { Router } from 'express';
import { replayBatch } from '../../src/batches/replay';
import { batchProgressQuery, batchWorkflowId, stopBatchUpdate } from '../../src/workflow-api/batch';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest, notFound } from '../errors';
import { validateReplay } from '../schemas/batch';
import { createBatchDeps } from './batches';

/** Stop, progress and replay of a batch: an update, a query, and a new batch linked to the old one. */
export function batchesControlRouter(deps: ApiDeps): Router {
  const router = Router();
  const { batches } = deps.db.collections;

  const findBatch = async (orgId: string, id: string) => {
    const batch = await batches.findOne({ _id: id, org_id: orgId });
    if (!batch) throw notFound('Batch not found.');
    return batch;
  };

  router.post('/v1/batches/:id/stop', async (req, res) => {
    const batch = await findBatch(req.orgId, String(req.params.id));
    if (batch.status === 'completed') throw new ApiError(409, 'All calls of this batch have already completed.');
    try {
      const r = await deps.temporal.workflow.getHandle(batchWorkflowId(batch.batch_id)).executeUpdate(stopBatchUpdate, { args: [{ reason: 'api: stop batch' }] });
      res.json({ status: 'success', message: 'Successfully stopped batch', num_calls: r.numCalls, batch_id: batch.batch_id });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || err instanceof WorkflowUpdateFailedError) throw new ApiError(409, 'The batch is no longer running.');
      throw err;
    }
  });

  /** Beyond the seed: the live window, from the workflow itself (queued, live, done by status, throughput). */
  router.get('/v1/batches/:id/progress', async (req, res) => {
    const batch = await findBatch(req.orgId, String(req.params.id));
    try {
      const p = await deps.temporal.workflow.getHandle(batchWorkflowId(batch.batch_id)).query(batchProgressQuery);
      res.json({
        status: 'success', batch_id: batch.batch_id, batch_status: batch.status,
        queued: p.queued, live: p.live, done: p.done, queue_statuses: p.queueStatuses, statuses: p.statuses,
        stopped: p.stopped, cancelled_rows: p.cancelledRows, calls_per_second: p.callsPerSecond, run: p.run,
      });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound('The batch workflow is not known to Temporal.');
      throw err;
    }
  });

  router.post('/v1/batches/:id/replay', async (req, res) => {
    const v = validateReplay(req.body);
    if (!v.ok) throw badRequest(v.errors);
    const original = await findBatch(req.orgId, String(req.params.id));
    if (original.status !== 'completed') throw new ApiError(409, 'The batch is still in progress; replay it once it has completed (or stop it first).');
    const r = await replayBatch(createBatchDeps(deps), { orgId: req.orgId, original, ...v.value, encryptedKey: req.get('encrypted_key') ?? null });
    if (!r.batch) throw new ApiError(409, `No call of this batch ended in: ${v.value.statuses.join(', ')}.`);
    res.json({ message: 'success', batch_id: r.batch.batch_id, replay_of: original.batch_id, num_calls: r.rows, statuses: v.value.statuses });
  });

  return router;
}
