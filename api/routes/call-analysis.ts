import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { Router } from 'express';
import { SA } from '../../src/workflow-api/search-attributes';
import type { AnalyzeCallWorkflowInput, analyzeCallWorkflow } from '../../workflows/analyze-call';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest, conflict, notFound } from '../errors';

/** The body's limits (characters; `questions` is a count), stated as they are in /openapi.json. */
export const ANALYZE_LIMITS = { goal: 2_000, question: 1_000, type: 200, questions: 50 };

type Parsed = { ok: true; goal: string; questions: Array<[string, string]> } | { ok: false; errors: string[] };

const text = (v: unknown, max: number) => typeof v === 'string' && v.trim().length > 0 && v.length <= max;

/** `{goal, questions: [[question, type?], …]}`, strictly: the seed's own example omits the type, which then means "string". */
export function parseAnalyzeBody(body: unknown): Parsed {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, errors: ['Request body must be a JSON object.'] };
  const b = body as Record<string, unknown>;
  const errors = Object.keys(b)
    .filter((k) => k !== 'goal' && k !== 'questions')
    .map((k) => `Unknown field "${k}".`);
  if (!text(b.goal, ANALYZE_LIMITS.goal)) errors.push(`goal must be a non-empty string of at most ${ANALYZE_LIMITS.goal} characters.`);
  const questions: Array<[string, string]> = [];
  if (!Array.isArray(b.questions) || b.questions.length === 0 || b.questions.length > ANALYZE_LIMITS.questions) {
    errors.push(`questions must be an array of 1 to ${ANALYZE_LIMITS.questions} [question, type] pairs.`);
  } else {
    b.questions.forEach((q: unknown, i) => {
      const pair = Array.isArray(q) ? (q as unknown[]) : null;
      if (!pair || pair.length < 1 || pair.length > 2) {
        errors.push(`questions[${i}] must be [question] or [question, type].`);
      } else if (!text(pair[0], ANALYZE_LIMITS.question)) {
        errors.push(`questions[${i}][0] must be a non-empty string of at most ${ANALYZE_LIMITS.question} characters.`);
      } else if (pair.length === 2 && !text(pair[1], ANALYZE_LIMITS.type)) {
        errors.push(`questions[${i}][1] must be a non-empty type description of at most ${ANALYZE_LIMITS.type} characters.`);
      } else {
        questions.push([(pair[0] as string).trim(), pair.length === 2 ? (pair[1] as string).trim() : 'string']);
      }
    });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, goal: (b.goal as string).trim(), questions };
}

/** POST /v1/calls/{id}/analyze: answered by a short workflow, since the API makes no model call itself. */
export function callAnalysisRouter(deps: ApiDeps): Router {
  const router = Router();
  router.post('/v1/calls/:id/analyze', async (req, res) => {
    const id = String(req.params.id);
    const parsed = parseAnalyzeBody(req.body);
    if (!parsed.ok) throw badRequest(parsed.errors);
    const call = await deps.db.collections.calls.findOne({ _id: id, org_id: req.orgId }, { projection: { completed: 1 } });
    if (!call) throw notFound('Call not found.');
    if (!call.completed) throw conflict('The call has not ended yet; analyze it once it is complete.');

    const input: AnalyzeCallWorkflowInput = { orgId: req.orgId, callId: id, goal: parsed.goal, questions: parsed.questions };
    let answers: unknown[];
    try {
      ({ answers } = await deps.temporal.workflow.execute<typeof analyzeCallWorkflow>('analyzeCallWorkflow', {
        taskQueue: deps.taskQueue,
        workflowId: `analyze-${id}-${randomUUID()}`,
        args: [input],
        // Bounds the HTTP wait too: the request answers 504 rather than hang when no worker runs.
        workflowExecutionTimeout: '2 minutes',
        typedSearchAttributes: [
          { key: SA.CallId, value: id },
          { key: SA.OrgId, value: req.orgId },
        ],
        memo: { summary: `Analyze call: ${parsed.questions.length} question(s)`, org_id: req.orgId },
      }));
    } catch (err) {
      if (err instanceof WorkflowFailedError && err.cause instanceof TimeoutFailure) throw new ApiError(504, 'The analysis timed out; try again.');
      if (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'AnalysisFailed') {
        throw new ApiError(502, 'The call could not be analyzed.', [err.cause.message]);
      }
      throw err;
    }
    res.json({ status: 'success', message: 'Successfully analyzed call', answers });
  });
  return router;
}
