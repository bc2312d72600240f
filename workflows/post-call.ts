import { ActivityFailure, ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { QueueStatus } from '../src/db/types';
import type { CallWorkflowInput } from '../src/workflow-api/call';
import { records } from './activity-proxies';

/**
 * The summary and analysis: model calls that may be slow. A model answer that does not fit the
 * schema is retried twice (it may answer differently); a vendor 4xx or an inexpressible schema
 * fails at once (classified in the activity).
 */
const POST_CALL_MODEL_RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 3 } as const;
export const postCallModel = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry: POST_CALL_MODEL_RETRY });

/**
 * The same as local activities (runs with `localPostCallModel`), in the workflow task of the call's
 * end: no dispatch through the server. While one runs, the worker keeps that task alive (a
 * heartbeat to the server every few seconds); a worker that dies meanwhile loses the task, and the
 * next one runs the step again (each writes its result over the last).
 */
const localPostCallModel = proxyLocalActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  localRetryThreshold: '10 seconds',
  retry: POST_CALL_MODEL_RETRY,
});

/**
 * Webhook delivery: five attempts, 1 s doubling to at most 30 s apart (about 15 s in all unless
 * the receiver asks for longer with Retry-After). The activity's own HTTP timeout is at most 50 s.
 */
const webhookDelivery = proxyActivities<Activities>({
  startToCloseTimeout: '60 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

export interface PostCallOutcome {
  queueStatus: QueueStatus;
  status: string;
}

/** The failure's own words: the activity's message, without the SDK's "Activity task failed". */
export function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause.message;
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * DESIGN §3.1 step 8, after the final record is written: summary, analysis, then the webhook, so
 * that its payload carries them. A failing step is recorded and the next still runs; the failures
 * come back as one message for the caller to store with `complete_error`.
 */
export async function runPostCall(input: CallWorkflowInput, outcome: PostCallOutcome): Promise<{ errorMessage: string | null }> {
  const ref = { orgId: input.orgId, callId: input.callId };
  const post = input.postCall;
  const failures: string[] = [];
  const step = async (label: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (err) {
      const message = `${label} failed: ${failureMessage(err)}`;
      failures.push(message);
      await records.updateCall({ ...ref, set: {}, events: [{ level: 'call', category: 'error', message }] });
    }
  };

  // Only a call that connected has a conversation to summarise or analyse.
  if (outcome.status === 'completed') {
    const model = input.localPostCallModel ? localPostCallModel : postCallModel;
    // Bland summarises every call; summary_prompt only changes the instructions.
    await step('Summary', () => model.summarizeCall({ ...ref, prompt: post.summaryPrompt }));
    const schema = post.analysisSchema;
    if (schema && Object.keys(schema).length > 0) {
      await step('Analysis', () => model.analyzeCall({ ...ref, schema, prompt: post.analysisPrompt }));
    }
  }

  const url = post.webhookUrl;
  if (url) {
    // The payload should tell the truth about a failed summary or analysis.
    if (failures.length > 0 && outcome.queueStatus === 'complete') {
      await records.updateCall({ ...ref, set: { queue_status: 'complete_error', error_message: failures.join(' ') }, events: [] });
    }
    if (post.webhookEvents.length > 0) {
      await step('Webhook (events)', () => webhookDelivery.deliverWebhook({ ...ref, url, kind: 'events', events: post.webhookEvents }));
    }
    await step('Webhook', () => webhookDelivery.deliverWebhook({ ...ref, url, kind: 'call' }));
  }
  return { errorMessage: failures.length > 0 ? failures.join(' ') : null };
}
