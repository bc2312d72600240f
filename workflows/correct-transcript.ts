import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { failureMessage } from './post-call';

export interface CorrectTranscriptWorkflowInput {
  orgId: string;
  callId: string;
}

export interface CorrectTranscriptWorkflowResult {
  status: 'complete' | 'failed';
}

export const correctTranscriptWorkflowId = (callId: string): string => `correct-${callId}`;

/**
 * Download and transcription of a whole recording: minutes for a long call. Five attempts, 5 s
 * doubling to at most 2 minutes apart, ride out a short vendor outage; a 4xx fails at once.
 */
const transcription = proxyActivities<Activities>({
  startToCloseTimeout: '12 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 5 },
});

const store = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/**
 * `correct-<call_id>`: a finished call's corrected transcript, started by the first GET
 * /v1/calls/{id}/correct. A workflow of its own rather than a step of the call's, so calls that are
 * running (and their recorded histories) are untouched, and calls recorded before this existed can
 * be corrected too. A failure is stored for readers; the workflow itself completes.
 */
export async function correctTranscriptWorkflow(input: CorrectTranscriptWorkflowInput): Promise<CorrectTranscriptWorkflowResult> {
  try {
    await transcription.correctCallTranscript(input);
    return { status: 'complete' };
  } catch (err) {
    await store.recordCorrectionFailure({ ...input, message: failureMessage(err) });
    return { status: 'failed' };
  }
}
