import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PathwayTurnResult } from '../activities/pathway-turn';
import type { WebhookOutcome, WebhookRequest } from '../src/pathway/turn';
import type { PathwayState } from '../src/pathway/types';
import type { TranscriptLine } from '../src/workflow-api/call';
import type { PathwayRun } from '../src/workflow-api/pathway';
import { agent } from './activity-proxies';

/** A chain of webhook nodes (each answered by another) is cut here, so a cycle cannot spin forever. */
const MAX_WEBHOOKS_PER_TURN = 5;

export interface PathwayStep {
  /** Everything said this turn, in order: a webhook's waiting line, then the next node's dialogue. */
  say: string[];
  final: PathwayTurnResult;
  modelMs: number;
  /** What each webhook node of the turn did, for the event stream. */
  webhooks: Array<{ nodeId: string; outcome: WebhookOutcome }>;
}

function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : 'the webhook failed';
}

/**
 * A webhook node is its own activity with the node's timeout and attempts, visible in the Temporal
 * UI. Its failure is an outcome the pathway handles (no responsePathways rule holds), never a
 * failed call.
 */
export async function runWebhookNode(ref: { orgId: string; callId: string }, req: WebhookRequest): Promise<WebhookOutcome> {
  const acts = proxyActivities<Activities>({
    startToCloseTimeout: req.timeoutMs + 5_000,
    retry: { initialInterval: '250 milliseconds', backoffCoefficient: 2, maximumAttempts: req.attempts },
  });
  try {
    return await acts.pathwayWebhook({ ...ref, ...req });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    return { ok: false, status: null, variables: {}, error: failureMessage(err) };
  }
}

/** One pathway turn as the workflow runs it: the engine's activity, and any webhook it asks for in between. */
export async function runPathwayStep(
  ref: { orgId: string; callId: string },
  run: PathwayRun,
  state: PathwayState,
  transcript: TranscriptLine[],
  variables: Record<string, unknown>,
  model: string | null,
): Promise<PathwayStep> {
  const base = { ...ref, pathway: run, transcript, variables, model };
  let result = await agent.pathwayTurn({ ...base, state });
  const say = [...result.say];
  let modelMs = result.modelMs;
  const webhooks: PathwayStep['webhooks'] = [];
  for (let i = 0; result.action === 'webhook' && result.webhook && i < MAX_WEBHOOKS_PER_TURN; i++) {
    const outcome = await runWebhookNode(ref, result.webhook);
    webhooks.push({ nodeId: result.webhook.nodeId, outcome });
    result = await agent.pathwayTurn({ ...base, state: result.state, webhookOutcome: outcome });
    say.push(...result.say);
    modelMs += result.modelMs;
  }
  return { say, final: result, modelMs, webhooks };
}
