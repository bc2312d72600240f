import { ApplicationFailure } from '@temporalio/workflow';
import { failureMessage, postCallModel } from './post-call';

export interface AnalyzeCallWorkflowInput {
  orgId: string;
  callId: string;
  goal: string;
  /** [question, expected answer type], in the order the answers come back. */
  questions: Array<[string, string]>;
}

export interface AnalyzeCallWorkflowResult {
  answers: unknown[];
}

export const analyzeCallWorkflowId = (callId: string, requestId: string): string => `analyze-${callId}-${requestId}`;

/**
 * `analyze-<call_id>-<uuid>`: POST /v1/calls/{id}/analyze. The API may not call the model, so it
 * runs this short workflow and waits for its result. A failure is one ApplicationFailure of type
 * `AnalysisFailed` whose message the API can show.
 */
export async function analyzeCallWorkflow(input: AnalyzeCallWorkflowInput): Promise<AnalyzeCallWorkflowResult> {
  try {
    return await postCallModel.answerCallQuestions(input);
  } catch (err) {
    throw ApplicationFailure.nonRetryable(failureMessage(err), 'AnalysisFailed');
  }
}
