import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { SA } from '../../src/workflow-api/search-attributes';
import type { analyzeCallWorkflow } from '../../workflows/analyze-call';
import type { analyzeBatchWorkflow } from '../../workflows/batch-analyze';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import type { AnalyzeRequest } from '../schemas/analyze';

/**
 * Question analysis of finished calls. The API makes no model call: each request runs a short
 * workflow and waits for its result, bounded by the workflow's execution timeout (a 504 rather
 * than a hung request when no worker runs). A model that cannot produce valid answers fails the
 * workflow with `AnalysisFailed`, a 502 carrying the reason.
 */
async function run<T>(what: 'call' | 'batch', start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if (err instanceof WorkflowFailedError && err.cause instanceof TimeoutFailure) throw new ApiError(504, 'The analysis timed out; try again.');
    if (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'AnalysisFailed') {
      throw new ApiError(502, `The ${what} could not be analyzed.`, [err.cause.message]);
    }
    throw err;
  }
}

/** `analyze-<call_id>-<uuid>`: one finished call's answers, in question order. */
export async function analyzeCall(deps: ApiDeps, orgId: string, callId: string, request: AnalyzeRequest): Promise<unknown[]> {
  const { answers } = await run('call', () =>
    deps.temporal.workflow.execute<typeof analyzeCallWorkflow>('analyzeCallWorkflow', {
      taskQueue: deps.taskQueue,
      workflowId: `analyze-${callId}-${randomUUID()}`,
      args: [{ orgId, callId, goal: request.goal, questions: request.questions }],
      workflowExecutionTimeout: '2 minutes',
      typedSearchAttributes: [
        { key: SA.CallId, value: callId },
        { key: SA.OrgId, value: orgId },
      ],
      memo: { summary: `Analyze call: ${request.questions.length} question(s)`, org_id: orgId },
    }),
  );
  return answers;
}

/** `analyze-batch-<batch_id>-<uuid>`: the answers of each given call (stored for GET …/analysis), keyed by call_id. */
export async function analyzeBatch(
  deps: ApiDeps,
  orgId: string,
  batchId: string,
  callIds: string[],
  request: AnalyzeRequest,
): Promise<Record<string, unknown[]>> {
  const { answers } = await run('batch', () =>
    deps.temporal.workflow.execute<typeof analyzeBatchWorkflow>('analyzeBatchWorkflow', {
      taskQueue: deps.taskQueue,
      workflowId: `analyze-batch-${batchId}-${randomUUID()}`,
      args: [{ orgId, batchId, callIds, goal: request.goal, questions: request.questions }],
      workflowExecutionTimeout: '10 minutes',
      typedSearchAttributes: [
        { key: SA.BatchId, value: batchId },
        { key: SA.OrgId, value: orgId },
      ],
      memo: { summary: `Analyze batch: ${callIds.length} call(s), ${request.questions.length} question(s)`, org_id: orgId },
    }),
  );
  return answers;
}
