import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { rowCallBody, readRows } from '../src/batches/create-batch';
import { reserveDialSlotsAndWaitShort } from '../src/batches/dial-rate';
import { rowCallId } from '../src/batches/ids';
import type { ResolvedCallConfig } from '../src/calls/call-config';
import { callWorkflowInput, opt } from '../src/calls/call-input';
import { SecretBoxError } from '../src/crypto/secret-box';
import { signWebhookBody, WEBHOOK_SIGNATURE_HEADER } from '../src/crypto/webhook-signature';
import { isDuplicateKeyError } from '../src/db/database';
import { newCallDoc } from '../src/calls/call-doc';
import { isPermanentHttpStatus } from '../src/errors';
import { describeUrl, OutboundHttpError, parseOutboundUrl } from '../src/net/destination';
import { batchWorkflowId } from '../src/workflow-api/batch';
import type { CallWorkflowInput } from '../src/workflow-api/call';
import type { ActivityDeps } from './deps';

export interface PrepareBatchCallsInput {
  orgId: string;
  batchId: string;
  from: number;
  count: number;
}

export interface PreparedBatchCall {
  index: number;
  callId: string;
  to: string;
  input: CallWorkflowInput;
}

export interface FinishBatchInput {
  orgId: string;
  batchId: string;
  stopped: boolean;
  done: number;
  cancelledRows: number;
  queueStatuses: Record<string, number>;
  statuses: Record<string, number>;
}

/** The batch's I/O: rows in, call documents and inputs out, the final record and the batch webhook. */
export function createBatchActivities({ db, telephony, outbound, webhookSecrets, webhooks }: Pick<ActivityDeps, 'db' | 'telephony' | 'outbound' | 'webhookSecrets' | 'webhooks'>) {
  async function batchDoc(orgId: string, batchId: string) {
    const batch = await db.collections.batches.findOne({ _id: batchId, org_id: orgId });
    if (!batch) throw ApplicationFailure.nonRetryable(`batch ${batchId} has no record`, 'BatchRecordMissing');
    return batch;
  }

  return {
    /**
     * Rows [from, from+count): each row's call document (inserted once: `_id` = the derived call ID)
     * and its CallWorkflowInput, built by the same function as POST /v1/calls.
     */
    async prepareBatchCalls({ orgId, batchId, from, count }: PrepareBatchCallsInput): Promise<PreparedBatchCall[]> {
      const batch = await batchDoc(orgId, batchId);
      const rows = await readRows(db, orgId, batchId, from, count);
      if (rows.length !== Math.min(count, batch.total_rows - from)) {
        throw ApplicationFailure.nonRetryable(`batch ${batchId}: rows ${from}..${from + count} missing`, 'BatchRowsMissing');
      }
      const now = new Date();
      const config = batch.call_config_json ? (JSON.parse(batch.call_config_json) as ResolvedCallConfig) : {};
      const prepared = rows.map(({ index, row }) => {
        const callId = rowCallId(batchId, index);
        const body = rowCallBody(batch, row);
        const from = opt<string>(body.from, 'string') ?? batch.call_defaults.from;
        const input: CallWorkflowInput = {
          ...callWorkflowInput(
            { callId, orgId, batchId },
            { to: String(row.phone_number), from, body, encryptedKey: batch.encrypted_key, webhookBaseUrl: batch.webhook_base_url, ...config },
            batch.call_defaults,
          ),
          batchRow: { workflowId: batchWorkflowId(batchId), index, reportByActivity: true },
        };
        const doc = { ...newCallDoc(input, { body, queueStatus: 'queued', endpointUrl: batch.webhook_base_url, simulated: telephony.simulated, now }), batch_row: index };
        return { prepared: { index, callId, to: input.to, input }, doc };
      });
      if (prepared.length > 0) {
        // Plain inserts keyed by the derived call ID (FerretDB finds a bare _id fast, and any other
        // filter by scanning). A retried activity meets its own earlier inserts: those duplicates
        // are the calls already prepared, never rewritten.
        await db.collections.calls.insertMany(prepared.map((p) => p.doc), { ordered: false }).catch((err: unknown) => {
          const writeErrors = (err as { writeErrors?: Array<{ code?: number }> | { code?: number } }).writeErrors;
          const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
          if (!isDuplicateKeyError(err) && (list.length === 0 || list.some((e) => e.code !== 11000))) throw err;
        });
      }
      return prepared.map((p) => p.prepared);
    },

    /** Marks the batch completed; returns its batch_webhook (null: none). */
    async finishBatch(input: FinishBatchInput): Promise<{ webhookUrl: string | null }> {
      const batch = await batchDoc(input.orgId, input.batchId);
      await db.collections.batches.updateOne(
        { _id: input.batchId, org_id: input.orgId },
        { $set: { status: 'completed', stopped: input.stopped, completed_at: batch.completed_at ?? new Date() } },
      );
      return { webhookUrl: batch.batch_webhook };
    },

    /** Answers of POST /v1/batches/{id}/analyze, one document per call (the latest analysis wins). */
    async storeBatchAnalyses(input: { orgId: string; batchId: string; goal: string; questions: Array<[string, string]>; answers: Record<string, unknown[]> }): Promise<void> {
      const entries = Object.entries(input.answers);
      if (entries.length === 0) return;
      const now = new Date();
      await db.collections.batchAnalyses.bulkWrite(
        entries.map(([callId, answers]) => {
          const _id = `${input.batchId}:${callId}`;
          const doc = { org_id: input.orgId, batch_id: input.batchId, call_id: callId, goal: input.goal, questions_json: JSON.stringify(input.questions), answers_json: JSON.stringify(answers), created_at: now };
          return { updateOne: { filter: { _id, org_id: input.orgId }, update: { $set: doc }, upsert: true } };
        }),
        { ordered: false },
      );
    },

    /** The batch webhook failed for good: the batch says so (GET /v1/batches/{id}, batch_params.batch_webhook_error). */
    async recordBatchWebhookFailure({ orgId, batchId, message }: { orgId: string; batchId: string; message: string }): Promise<void> {
      await db.collections.batches.updateOne({ _id: batchId, org_id: orgId }, { $set: { batch_webhook_error: message.slice(0, 500) } });
    },

    /**
     * Dial slots from the organisation's shared schedule (BATCH_DIALS_PER_SECOND across all its
     * batches). A short wait for them is slept here; a longer one is left to the workflow's timer.
     */
    async reserveDials({ orgId, count, perSecond }: { orgId: string; count: number; perSecond: number }): Promise<{ waitMs: number }> {
      return reserveDialSlotsAndWaitShort(db.collections.dialSlots, orgId, count, perSecond);
    },

    /** Rows prepared but never started because the batch stopped meanwhile: their documents say so. */
    async cancelBatchCalls({ orgId, callIds }: { orgId: string; callIds: string[] }): Promise<void> {
      if (callIds.length === 0) return;
      await db.collections.calls.updateMany(
        { _id: { $in: callIds }, org_id: orgId, queue_status: 'queued' },
        { $set: { queue_status: 'complete', status: 'canceled', completed: true, error_message: 'The batch was stopped before this call was dialled.' } },
      );
    },

    /** POSTs `{batch_id, status, …}` to batch_webhook, signed like every other webhook (X-Webhook-Signature). */
    async deliverBatchWebhook(input: FinishBatchInput & { url: string }): Promise<{ status: number }> {
      const { activityId, workflowExecution } = Context.current().info;
      let target: string;
      try {
        target = describeUrl(parseOutboundUrl(input.url));
      } catch (err) {
        throw ApplicationFailure.nonRetryable(`batch webhook URL refused: ${(err as Error).message}`, 'WebhookRefused');
      }
      const batch = await batchDoc(input.orgId, input.batchId);
      const raw = JSON.stringify({
        batch_id: input.batchId,
        status: input.stopped ? 'stopped' : 'completed',
        label: batch.label,
        campaign_id: batch.campaign_id,
        replay_of: batch.replay_of,
        total_calls: batch.dial_rows,
        completed_calls: input.done,
        cancelled_calls: input.cancelledRows,
        queue_statuses: input.queueStatuses,
        statuses: input.statuses,
        completed_at: (batch.completed_at ?? new Date()).toISOString(),
      });
      const secret = await webhookSecrets.current(input.orgId).catch((err: unknown) => {
        if (err instanceof SecretBoxError) throw ApplicationFailure.nonRetryable(`webhook signing secret unreadable: ${err.message}`, 'WebhookSecret');
        throw err;
      });
      let status: number;
      try {
        const res = await outbound.request({
          url: input.url, method: 'POST', body: raw, timeoutMs: webhooks.timeoutMs, maxResponseBytes: 65_536, redirect: 'preserve-method',
          headers: {
            'content-type': 'application/json',
            [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(secret, raw),
            'x-webhook-id': `${workflowExecution?.runId ?? 'standalone'}:${activityId}`,
            'x-webhook-event': 'batch',
          },
        });
        status = res.status;
      } catch (err) {
        const message = err instanceof OutboundHttpError ? err.message : String(err);
        if (err instanceof OutboundHttpError && !err.retryable) throw ApplicationFailure.nonRetryable(`batch webhook to ${target} refused: ${message}`, 'WebhookRefused');
        throw ApplicationFailure.retryable(`batch webhook to ${target} failed: ${message}`, 'WebhookUnreachable');
      }
      if (status >= 200 && status < 300) return { status };
      if (isPermanentHttpStatus(status)) throw ApplicationFailure.nonRetryable(`batch webhook ${target} answered HTTP ${status}`, 'WebhookRejected');
      throw ApplicationFailure.retryable(`batch webhook ${target} answered HTTP ${status}`, 'WebhookFailed');
    },
  };
}
