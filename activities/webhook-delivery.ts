import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { callDetail } from '../src/presenters/call';
import { callEvent } from '../src/presenters/call-event';
import { SecretBoxError } from '../src/crypto/secret-box';
import { signWebhookBody, WEBHOOK_SIGNATURE_HEADER } from '../src/crypto/webhook-signature';
import { findOwnedCall } from '../src/db/call-events';
import type { CallEventDoc } from '../src/db/types';
import { isPermanentHttpStatus } from '../src/errors';
import { describeUrl, OutboundHttpError, parseOutboundUrl } from '../src/net/destination';
import { callTranscripts } from '../src/db/final-transcript';
import type { ActivityDeps } from './deps';
import { appendAttemptEvents, type PostCallRef } from './post-call';

export type WebhookKind = 'call' | 'events';

export interface DeliverWebhookInput extends PostCallRef {
  url: string;
  /** `call`: the call's details, as GET /v1/calls/{id} shows them. `events`: its event-stream entries. */
  kind: WebhookKind;
  /** `webhook_events`, for kind `events`. */
  events?: string[];
}

export interface DeliverWebhookResult {
  delivered: boolean;
  status: number | null;
  attempt: number;
}

const MAX_RETRY_AFTER_MS = 30_000;

/**
 * `webhook_events` names select event-stream entries by level (`queue`, `call`, and the levels tools
 * and dynamic_data write) or by category (`info`, `error`, `performance`, alias `latency`).
 */
export function selectEvents(events: CallEventDoc[], names: string[]): CallEventDoc[] {
  const wanted = new Set(names.map((n) => (n === 'latency' ? 'performance' : n)));
  return events.filter((e) => wanted.has(e.level) || wanted.has(e.category));
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}

/**
 * One signed POST per attempt; Temporal's retry policy does the retrying, so every attempt is in
 * the workflow's history and in the call's event stream. 2xx delivers; a 4xx other than 408/429
 * (and a redirect that would turn the POST into a GET) will not get better and fails at once;
 * 5xx, 408, 429 and network trouble are retried, honouring Retry-After up to 30 s.
 */
export function createWebhookDeliveryActivities({ db, outbound, webhookSecrets, webhooks }: Pick<ActivityDeps, 'db' | 'outbound' | 'webhookSecrets' | 'webhooks'>) {
  async function payload(input: DeliverWebhookInput): Promise<unknown> {
    const { orgId, callId } = input;
    const call = await findOwnedCall(db, orgId, callId);
    if (!call) throw ApplicationFailure.nonRetryable(`call ${callId} has no record`, 'CallRecordMissing');
    if (input.kind === 'call') {
      const lines = (await callTranscripts(db, orgId, [callId])).get(callId) ?? [];
      return callDetail(call, lines);
    }
    const all = await db.collections.callEvents.find({ org_id: orgId, call_id: callId }).sort({ timestamp: 1 }).limit(5000).toArray();
    const events = selectEvents(all, input.events ?? []);
    if (events.length === 0) return null;
    return {
      call_id: callId,
      batch_id: call.batch_id,
      events: events.map(callEvent),
    };
  }

  return {
    async deliverWebhook(input: DeliverWebhookInput): Promise<DeliverWebhookResult> {
      const { attempt, activityId, workflowExecution } = Context.current().info;
      let target: string;
      try {
        target = describeUrl(parseOutboundUrl(input.url));
      } catch (err) {
        throw ApplicationFailure.nonRetryable(`webhook URL refused: ${(err as Error).message}`, 'WebhookRefused');
      }
      const body = await payload(input);
      if (body === null) return { delivered: false, status: null, attempt };
      const raw = JSON.stringify(body);
      const secret = await webhookSecrets.current(input.orgId).catch((err: unknown) => {
        // A secret sealed under another ENCRYPTION_KEY stays unreadable however often we ask.
        if (err instanceof SecretBoxError) throw ApplicationFailure.nonRetryable(`webhook signing secret unreadable: ${err.message}`, 'WebhookSecret');
        throw err;
      });
      const label = `Webhook (${input.kind}) attempt ${attempt} to ${target}`;
      const started = Date.now();
      const event = (category: 'info' | 'error', message: string) =>
        appendAttemptEvents(db, input, [{ level: 'call', category, message }]);

      let status: number;
      let retryAfter: number | undefined;
      try {
        const res = await outbound.request({
          url: input.url,
          method: 'POST',
          body: raw,
          timeoutMs: webhooks.timeoutMs,
          maxResponseBytes: 65_536,
          redirect: 'preserve-method',
          headers: {
            'content-type': 'application/json',
            [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(secret, raw),
            // Stable across attempts, so a receiver can drop a delivery it already processed.
            'x-webhook-id': `${workflowExecution?.runId ?? 'standalone'}:${activityId}`,
            'x-webhook-event': input.kind,
            'x-webhook-attempt': String(attempt),
          },
        });
        status = res.status;
        retryAfter = retryAfterMs(res.headers['retry-after']);
      } catch (err) {
        const message = err instanceof OutboundHttpError ? err.message : String(err);
        await event('error', `${label} failed: ${message}`);
        if (err instanceof OutboundHttpError && !err.retryable) {
          throw ApplicationFailure.nonRetryable(`webhook to ${target} refused: ${message}`, 'WebhookRefused');
        }
        throw ApplicationFailure.retryable(`webhook to ${target} failed: ${message}`, 'WebhookUnreachable');
      }

      const took = `HTTP ${status} in ${Date.now() - started} ms`;
      if (status >= 200 && status < 300) {
        await event('info', `${label}: ${took}`);
        return { delivered: true, status, attempt };
      }
      await event('error', `${label}: ${took}`);
      if (status >= 300 && status < 400) {
        throw ApplicationFailure.nonRetryable(`webhook ${target} answered HTTP ${status} (only 307/308 redirects are followed)`, 'WebhookRejected');
      }
      if (isPermanentHttpStatus(status)) {
        throw ApplicationFailure.nonRetryable(`webhook ${target} answered HTTP ${status}`, 'WebhookRejected');
      }
      throw ApplicationFailure.create({
        message: `webhook ${target} answered HTTP ${status}`,
        type: 'WebhookFailed',
        nonRetryable: false,
        nextRetryDelay: retryAfter,
      });
    },
  };
}
