import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { Router } from 'express';
import { SA } from '../../src/workflow-api/search-attributes';
import type { analyzeBatchWorkflow } from '../../workflows/batch-analyze';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest, conflict, notFound } from '../errors';
import { parseAnalyzeBody } from './call-analysis';

/** Calls one analyze request covers at most; a larger batch answers for the first ones (docs/batches.md). */
export const MAX_ANALYZED_CALLS = 2000;

/** POST /v1/batches/{id}/analyze (a workflow: the API makes no model call) and GET /v1/batches/{id}/analysis. */
export function batchesAnalysisRouter(deps: ApiDeps): Router {
  const router = Router();
  const { batches, calls, batchAnalyses } = deps.db.collections;

  router.post('/v1/batches/:id/analyze', async (req, res) => {
    const parsed = parseAnalyzeBody(req.body);
    if (!parsed.ok) throw badRequest(parsed.errors);
    const batch = await batches.findOne({ _id: String(req.params.id), org_id: req.orgId });
    if (!batch) throw notFound('Batch not found.');
    const done = await calls
      .find({ org_id: req.orgId, batch_id: batch.batch_id, completed: true }, { projection: { _id: 1 } })
      .limit(MAX_ANALYZED_CALLS)
      .toArray();
    if (done.length === 0) throw conflict('No call of this batch has completed yet.');
    let answers: Record<string, unknown[]>;
    try {
      ({ answers } = await deps.temporal.workflow.execute<typeof analyzeBatchWorkflow>('analyzeBatchWorkflow', {
        taskQueue: deps.taskQueue,
        workflowId: `analyze-batch-${batch.batch_id}-${randomUUID()}`,
        args: [{ orgId: req.orgId, batchId: batch.batch_id, callIds: done.map((c) => c._id), goal: parsed.goal, questions: parsed.questions }],
        workflowExecutionTimeout: '10 minutes',
        typedSearchAttributes: [
          { key: SA.BatchId, value: batch.batch_id },
          { key: SA.OrgId, value: req.orgId },
        ],
        memo: { summary: `Analyze batch: ${done.length} call(s), ${parsed.questions.length} question(s)`, org_id: req.orgId },
      }));
    } catch (err) {
      if (err instanceof WorkflowFailedError && err.cause instanceof TimeoutFailure) throw new ApiError(504, 'The analysis timed out; try again.');
      if (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'AnalysisFailed') {
        throw new ApiError(502, 'The batch could not be analyzed.', [err.cause.message]);
      }
      throw err;
    }
    res.json({ status: 'success', message: 'Successfully analyzed batch', answers });
  });

  router.get('/v1/batches/:id/analysis', async (req, res) => {
    const batch = await batches.findOne({ _id: String(req.params.id), org_id: req.orgId });
    if (!batch) throw notFound('Batch not found.');
    const docs = await batchAnalyses.find({ org_id: req.orgId, batch_id: batch.batch_id }).toArray();
    res.json({
      status: 'success',
      message: 'Successfully fetched analyses',
      analysis: docs.map((d) => ({ call_id: d.call_id, batch_id: d.batch_id, goal: d.goal, answers: JSON.parse(d.answers_json) as unknown[], questions: JSON.parse(d.questions_json) as unknown[][] })),
    });
  });

  return router;
}
