import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { failureMessage, postCallModel } from './post-call';

const store = proxyActivities<Activities>({
  startToCloseTimeout: '60 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds' },
});

export interface AnalyzeBatchWorkflowInput {
  orgId: string;
  batchId: string;
  /** The batch's finished calls (the API caps the number). */
  callIds: string[];
  goal: string;
  questions: Array<[string, string]>;
}

export interface AnalyzeBatchWorkflowResult {
  answers: Record<string, unknown[]>;
}

/** Calls analysed at once: the model is the bottleneck; keep its load bounded. */
const PARALLEL = 8;

/**
 * `analyze-batch-<batch_id>-<uuid>`: POST /v1/batches/{id}/analyze. The same per-call question
 * answering as POST /v1/calls/{id}/analyze, for every finished call, stored for GET …/analysis.
 */
export async function analyzeBatchWorkflow(input: AnalyzeBatchWorkflowInput): Promise<AnalyzeBatchWorkflowResult> {
  const answers: Record<string, unknown[]> = {};
  try {
    for (let i = 0; i < input.callIds.length; i += PARALLEL) {
      const group = input.callIds.slice(i, i + PARALLEL);
      const results = await Promise.all(
        group.map((callId) => postCallModel.answerCallQuestions({ orgId: input.orgId, callId, goal: input.goal, questions: input.questions })),
      );
      group.forEach((callId, j) => (answers[callId] = results[j]!.answers));
    }
  } catch (err) {
    throw ApplicationFailure.nonRetryable(failureMessage(err), 'AnalysisFailed');
  }
  await store.storeBatchAnalyses({ orgId: input.orgId, batchId: input.batchId, goal: input.goal, questions: input.questions, answers });
  return { answers };
}
