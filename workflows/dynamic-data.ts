import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CallWorkflowInput } from '../src/workflow-api/call';
import type { Conversation } from './conversation';

/**
 * `dynamic_data`, in order, before the first word: its variables join the call's and its
 * `context` lines become the agent's knowledge. If even the activity fails, the call goes on
 * without them (recorded in the event stream), as a failed request would.
 */
export async function loadDynamicData(conversation: Conversation, input: CallWorkflowInput): Promise<void> {
  const requests = input.dynamicData ?? [];
  // Request failures are results, not errors; retries here cover the worker and the store only.
  const http = proxyActivities<Activities>({
    startToCloseTimeout: requests.reduce((ms, r) => ms + r.timeoutMs, 10_000),
    retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 3 },
  });
  try {
    const out = await http.runDynamicData({ ...conversation.ref, requests, variables: conversation.variables });
    conversation.learn(out.variables, out.context);
  } catch (err) {
    conversation.note('error', `dynamic_data could not run: ${err instanceof Error ? err.message : String(err)}; the call goes on without it`);
  }
}
