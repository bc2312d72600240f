import { ApplicationFailure } from '@temporalio/common';
import { describeHttpFailure, executeHttpCall, httpFailureIsRetryable } from '../src/net/http-call';
import { extractJsonPath } from '../src/net/json-path';
import type { WebhookOutcome, WebhookRequest } from '../src/pathway/turn';
import type { ActivityDeps } from './deps';

export interface WebhookNodeInput extends WebhookRequest {
  orgId: string;
  callId: string;
}

/** Values stored in the workflow and the read model: nested structures become JSON text. */
const storable = (v: unknown): unknown => (v !== null && typeof v === 'object' ? JSON.stringify(v) : v);

/**
 * A pathway Webhook node's request: its own activity, with the node's timeout and attempts, through
 * the one SSRF-guarded HTTP module shared with custom tools and dynamic data. A 4xx answer is an
 * outcome (the pathway decides what it means); 5xx, timeouts and network trouble are retried.
 */
export function createWebhookNodeActivities({ outbound }: Pick<ActivityDeps, 'outbound'>) {
  return {
    async pathwayWebhook(input: WebhookNodeInput): Promise<WebhookOutcome> {
      let res;
      try {
        res = await executeHttpCall(
          outbound,
          { url: input.url, method: input.method, headers: input.headers, body: input.body ?? undefined, timeoutMs: input.timeoutMs },
          input.variables,
        );
      } catch (err) {
        const message = describeHttpFailure(err);
        if (!httpFailureIsRetryable(err)) throw ApplicationFailure.nonRetryable(message, 'WebhookRefused');
        throw ApplicationFailure.retryable(message, 'WebhookFailed');
      }
      if (!res.ok && httpFailureIsRetryable(undefined, res.status)) {
        throw ApplicationFailure.retryable(`Webhook answered HTTP ${res.status}`, 'WebhookFailed');
      }
      const variables: Record<string, unknown> = {};
      if (res.ok) {
        for (const item of input.responseData) {
          const value = extractJsonPath(res.data, item.data);
          if (value !== undefined) variables[item.name] = storable(value);
        }
      }
      return { ok: res.ok, status: res.status, variables, error: res.ok ? null : `HTTP ${res.status}` };
    },
  };
}
