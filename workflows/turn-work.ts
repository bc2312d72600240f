import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { toolResultForModel } from '../src/tools/tool-result';
import { effectiveToolTimeoutMs } from '../src/tools/types';
import type { ToolWork, TurnWork, TurnWorkOutcome, WebhookWork } from '../src/workflow-api/call';
import { runWebhookNode } from './pathway-step';

/**
 * The one dispatch point for work during a turn (see TurnWork in src/workflow-api/call.ts). Each
 * kind runs its own activity and comes back as a TurnWorkOutcome; a failure is an outcome too,
 * reported to the model, so the conversation goes on.
 */
export async function runTurnWork(work: TurnWork, variables: Record<string, unknown>, ref: { orgId: string; callId: string }): Promise<TurnWorkOutcome> {
  switch (work.kind) {
    case 'tool':
      return runToolWork(work, variables, ref);
    case 'webhook':
      return runWebhookWork(work, ref);
  }
}

/** Why an activity failed, in the activity's own words (not Temporal's wrapper). */
function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return cause.message;
  if (cause instanceof Error) return cause.message;
  return 'the tool failed';
}

/**
 * A tool's own timeout bounds each attempt. GET tools are tried twice; other methods once, since
 * repeating a POST (a booking, a payment) could do it twice.
 */
async function runToolWork(work: ToolWork, variables: Record<string, unknown>, ref: { orgId: string; callId: string }): Promise<TurnWorkOutcome> {
  const { tool } = work;
  const timeoutMs = effectiveToolTimeoutMs(tool);
  const acts = proxyActivities<Activities>({
    // Room for DNS, the redirects and the response beyond the request's own deadline.
    startToCloseTimeout: timeoutMs + 5_000,
    retry: { initialInterval: '250 milliseconds', backoffCoefficient: 2, maximumAttempts: tool.method === 'GET' ? 2 : 1 },
    // What an operator sees on the activity in the Temporal UI.
    summary: `Tool ${tool.name} (${tool.method})`,
  });
  try {
    const res = await acts.runTool({ ...ref, tool, input: work.input, variables });
    return {
      kind: 'tool',
      ok: true,
      variables: res.variables,
      resultForModel: toolResultForModel({ ok: true, variables: res.variables }),
      message: `Tool ${tool.name}: ${res.method} ${res.url} → ${res.status} in ${res.durationMs} ms; set ${Object.keys(res.variables).join(', ')}`,
    };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const reason = failureMessage(err);
    return {
      kind: 'tool',
      ok: false,
      variables: {},
      resultForModel: toolResultForModel({ ok: false, error: reason }),
      message: `Tool ${tool.name} failed: ${reason}`,
    };
  }
}

/** A pathway Webhook node (its own activity, with the node's timeout and attempts); the pathway resumes with the outcome. */
async function runWebhookWork(work: WebhookWork, ref: { orgId: string; callId: string }): Promise<TurnWorkOutcome> {
  const outcome = await runWebhookNode(ref, work.request);
  const set = Object.keys(outcome.variables);
  return {
    kind: 'webhook',
    ok: outcome.ok,
    // Pathway variables live in the pathway's state, which the outcome updates.
    variables: {},
    resultForModel: '',
    message: outcome.ok
      ? `Webhook node ${work.request.nodeId}: HTTP ${outcome.status}${set.length ? `; set ${set.join(', ')}` : ''}`
      : `Webhook node ${work.request.nodeId} failed: ${outcome.error ?? 'error'}`,
    webhook: outcome,
  };
}
