import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CallWorkflowInput } from '../src/workflow-api/call';
import type { CallSession } from './call-session';


/**
 * `dynamic_data`, in order, before the first word: its variables join the call's and its
 * `context` lines become the agent's knowledge. If even the activity fails, the call goes on
 * without them (recorded in the event stream), as a failed request would.
 */
export async function loadDynamicData(session: CallSession, input: CallWorkflowInput): Promise<void> {
  const requests = input.dynamicData ?? [];
  // Request failures are results, not errors; retries here cover the worker and the store only.
  const http = proxyActivities<Activities>({
    startToCloseTimeout: requests.reduce((ms, r) => ms + r.timeoutMs, 10_000),
    retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 3 },
  });
  try {
    const out = await http.runDynamicData({ ...session.ref, requests, variables: session.variables });
    session.variables = { ...session.variables, ...out.variables };
    session.knowledge = out.context;
  } catch (err) {
    session.event('error', `dynamic_data could not run: ${err instanceof Error ? err.message : String(err)}; the call goes on without it`);
  }
}
