import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { isDuplicateKeyError } from '../../src/db/database';
import { newCallDoc } from '../../src/calls/call-doc';
import { callWorkflowId, newCallId } from '../../src/ids';
import { callStartAttributes } from '../../src/workflow-api/search-attributes';
import type { ApiDeps } from '../deps';
import { unavailable } from '../errors';
import type { SendCallParams } from '../schemas/send-call';
import { callWorkflowInput } from '../../src/calls/call-input';
import { resolveCallConfig } from './call-config';
import { callVoice } from './voices';

export interface CreateCallResult {
  callId: string;
  replayed: boolean;
}

/**
 * Claims an Idempotency-Key (a call's, a session's): the first request's ID wins and every replay gets it back. A
 * replay runs the same idempotent steps (insert, queued event, start), so a first request that died
 * half-way is completed by its replay instead of leaving the call stuck.
 */
export async function claimIdempotencyKey(deps: ApiDeps, orgId: string, idempotencyKey: string | null, fresh: string): Promise<{ id: string; claimed: boolean }> {
  if (!idempotencyKey) return { id: fresh, claimed: true };
  const _id = `${orgId}:${idempotencyKey}`;
  try {
    await deps.db.collections.idempotencyKeys.insertOne({ _id, org_id: orgId, resource_id: fresh, created_at: new Date() });
    return { id: fresh, claimed: true };
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const existing = await deps.db.collections.idempotencyKeys.findOne({ _id, org_id: orgId });
    if (!existing) throw err;
    return { id: existing.resource_id, claimed: false };
  }
}

export async function createCall(
  deps: ApiDeps,
  orgId: string,
  params: SendCallParams,
  opts: { idempotencyKey: string | null; encryptedKey: string | null },
): Promise<CreateCallResult> {
  const config = { ...(await resolveCallConfig(deps, orgId, params.body, opts.encryptedKey)), ...(await callVoice(deps, orgId, params.body)) };
  const { id: callId, claimed } = await claimIdempotencyKey(deps, orgId, opts.idempotencyKey, newCallId());
  const body = params.body;
  const from = params.from ?? deps.callDefaults.from;
  const input = callWorkflowInput(
    { callId, orgId, batchId: null },
    { to: params.phoneNumber, from, body, encryptedKey: opts.encryptedKey, webhookBaseUrl: deps.publicBaseUrl, ...config },
    deps.callDefaults,
  );
  const now = new Date();
  // Stored as queued before the start: once the workflow runs, the request has nothing left to
  // write that could fail, so a started call is always answered with its call_id.
  const doc = newCallDoc(input, { body, queueStatus: 'queued', endpointUrl: deps.publicBaseUrl, simulated: deps.telephony.simulated, now });

  let replayed = !claimed;
  try {
    await deps.db.collections.calls.insertOne(doc);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    // A replay got here first, or this is one: every step from here on is idempotent.
    replayed = true;
  }
  await deps.db.collections.callEvents
    .insertOne({ _id: `${callId}:queued`, org_id: orgId, call_id: callId, level: 'queue', category: 'info', message: 'Call queued', timestamp: now })
    .catch((err: unknown) => {
      if (!isDuplicateKeyError(err)) throw err;
    });
  try {
    await deps.temporal.workflow.start('phoneCallWorkflow', {
      taskQueue: deps.taskQueue,
      workflowId: callWorkflowId(callId),
      args: [input],
      typedSearchAttributes: callStartAttributes(input, doc.campaign_id),
      memo: { summary: `Outbound call to ${params.phoneNumber.slice(0, -4)}****`, org_id: orgId },
    });
  } catch (err) {
    // Only a request with the same Idempotency-Key can have started it (the ID is otherwise new and
    // random): the first request and its replays run the same steps at once, and whichever starts
    // the workflow first, the same call is the answer to each, the first request's included.
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { callId, replayed };
    deps.logger.error({ err, callId }, 'workflow start failed');
    await deps.db.collections.calls.updateOne(
      { _id: callId, org_id: orgId },
      { $set: { queue_status: 'pre_queue_error', completed: true, error_message: 'The call could not be queued.' } },
    );
    throw unavailable('The call could not be queued; try again.');
  }
  return { callId, replayed };
}
