import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { isDuplicateKeyError } from '../../src/db/database';
import type { CallDoc } from '../../src/db/types';
import { callWorkflowId, newCallId } from '../../src/ids';
import type { CallWorkflowInput } from '../../src/workflow-api/call';
import { SA } from '../../src/workflow-api/search-attributes';
import type { ApiDeps } from '../deps';
import { conflict, unavailable } from '../errors';
import { maxDurationMinutes, type SendCallParams } from '../schemas/send-call';

export interface CreateCallResult {
  callId: string;
  replayed: boolean;
}

const opt = <T>(v: unknown, type: 'string' | 'number' | 'boolean'): T | null => (typeof v === type ? (v as T) : null);

/** Claims an Idempotency-Key: the first request's call ID wins, every replay gets it back. */
async function claimCallId(deps: ApiDeps, orgId: string, idempotencyKey: string | null): Promise<{ callId: string; claimed: boolean }> {
  const callId = newCallId();
  if (!idempotencyKey) return { callId, claimed: true };
  const _id = `${orgId}:${idempotencyKey}`;
  try {
    await deps.db.collections.idempotencyKeys.insertOne({ _id, org_id: orgId, resource_id: callId, created_at: new Date() });
    return { callId, claimed: true };
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const existing = await deps.db.collections.idempotencyKeys.findOne({ _id, org_id: orgId });
    if (!existing) throw err;
    return { callId: existing.resource_id, claimed: false };
  }
}

export async function createCall(
  deps: ApiDeps,
  orgId: string,
  params: SendCallParams,
  opts: { idempotencyKey: string | null; encryptedKey: string | null },
): Promise<CreateCallResult> {
  const { callId, claimed } = await claimCallId(deps, orgId, opts.idempotencyKey);
  const body = params.body;
  const from = params.from ?? deps.callDefaults.from;
  const maxDuration = maxDurationMinutes(body, deps.callDefaults.maxDurationMinutes);
  const now = new Date();
  const doc: CallDoc = {
    _id: callId, org_id: orgId, call_id: callId, c_id: callId,
    to: params.phoneNumber, from,
    batch_id: null, campaign_id: opt<string>(body.campaign_id, 'string'), inbound: false,
    request_data: body, variables: {}, metadata: (body.metadata as Record<string, unknown>) ?? {},
    queue_status: 'new', status: 'queued', completed: false,
    created_at: now, started_at: null, end_at: null, ended_at: null,
    call_length: null, corrected_duration: null, max_duration: maxDuration,
    answered_by: null, call_ended_by: null, error_message: null,
    record: body.record === true, recording_url: null, summary: null, price: null,
    analysis: null, analysis_schema: (body.analysis_schema as Record<string, unknown>) ?? null,
    pathway_logs: null, concatenated_transcript: null, transferred_to: null, local_dialing: false,
    endpoint_url: deps.publicBaseUrl, provider_call_sid: null, workflow_id: callWorkflowId(callId),
    simulated: deps.telephony.simulated,
  };
  try {
    await deps.db.collections.calls.insertOne(doc);
  } catch (err) {
    // An idempotent replay of a request whose document already exists: same call, no second start.
    if (isDuplicateKeyError(err) && !claimed) return { callId, replayed: true };
    throw err;
  }

  const input: CallWorkflowInput = {
    callId, orgId, channel: 'phone', to: params.phoneNumber, from, batchId: null,
    task: opt<string>(body.task, 'string'),
    firstSentence: opt<string>(body.first_sentence, 'string'),
    waitForGreeting: body.wait_for_greeting === true,
    model: opt<string>(body.model, 'string'),
    temperature: opt<number>(body.temperature, 'number'),
    language: opt<string>(body.language, 'string') ?? 'en-US',
    voice: opt<string>(body.voice, 'string'),
    timezone: opt<string>(body.timezone, 'string') ?? 'America/Los_Angeles',
    requestData: (body.request_data as Record<string, unknown>) ?? {},
    startTime: opt<string>(body.start_time, 'string'),
    maxDurationMinutes: maxDuration,
    ringTimeoutSeconds: deps.callDefaults.ringTimeoutSeconds,
    record: body.record === true,
    webhookBaseUrl: deps.publicBaseUrl,
    encryptedKey: opts.encryptedKey,
  };
  try {
    await deps.temporal.workflow.start('callWorkflow', {
      taskQueue: deps.taskQueue,
      workflowId: callWorkflowId(callId),
      args: [input],
      typedSearchAttributes: [
        { key: SA.CallId, value: callId },
        { key: SA.OrgId, value: orgId },
        { key: SA.PhoneNumber, value: params.phoneNumber },
        { key: SA.CallStatus, value: 'queued' },
        { key: SA.Channel, value: 'phone' },
        ...(doc.campaign_id ? [{ key: SA.CampaignId, value: doc.campaign_id }] : []),
      ],
      memo: { summary: `Outbound call to ${params.phoneNumber.slice(0, -4)}****`, org_id: orgId },
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict(`Call ${callId} was already started.`);
    await deps.db.collections.calls.updateOne(
      { _id: callId, org_id: orgId },
      { $set: { queue_status: 'pre_queue_error', completed: true, error_message: 'The call could not be queued.' } },
    );
    deps.logger.error({ err, callId }, 'workflow start failed');
    throw unavailable('The call could not be queued; try again.');
  }
  // Conditional: the workflow may already have moved the call on.
  await deps.db.collections.calls.updateOne({ _id: callId, org_id: orgId, queue_status: 'new' }, { $set: { queue_status: 'queued' } });
  await deps.db.collections.callEvents.insertOne({
    _id: `${callId}:queued`, org_id: orgId, call_id: callId, level: 'queue', category: 'info',
    message: 'Call queued', timestamp: now,
  });
  return { callId, replayed: false };
}
