import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { newCallDoc } from '../../src/calls/call-doc';
import { callWorkflowInput } from '../../src/calls/call-input';
import { agentCallBody, agentCanAnswer, callerOf, inboundCallId } from '../../src/calls/inbound-call';
import { sipHeadersFromParams } from '../../src/calls/sip-headers';
import { withSingleBraces } from '../../src/inbound/placeholders';
import { singleBraceNames } from '../../src/inbound/prompt-names';
import { insertOnce } from '../../src/db/call-events';
import { isDuplicateKeyError } from '../../src/db/database';
import type { CallDoc } from '../../src/db/types';
import { callWorkflowId } from '../../src/ids';
import type { InboundNumberDoc } from '../../src/numbers/types';
import { mask } from '../../src/phone';
import type { CarrierCredentials } from '../../src/telephony/provider';
import type { CallWorkflowInput } from '../../src/workflow-api/call';
import { callStartAttributes } from '../../src/workflow-api/search-attributes';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { resolveCallPathway } from './call-pathway';
import { resolveCallExtras } from './call-tools';
import { callVoice } from './voices';

/** What the carrier's voice webhook says about a call that arrives at one of our numbers. */
export interface IncomingCall {
  providerCallSid: string;
  accountSid: string;
  /** The number called (E.164, as the carrier writes it). */
  to: string;
  from: string;
  params: Record<string, string>;
}

/** `record`: the first answer starts the carrier's recording (the workflow leaves it to the answer). */
export type InboundAnswer = { kind: 'answer'; callId: string; record: boolean } | { kind: 'reject'; reason: string };

/**
 * The credentials that sign the webhooks of a number held by an organisation's own carrier account
 * (POST /v1/inbound/insert); null for the server's numbers and unknown ones.
 */
export async function inboundNumberAccount(deps: Pick<ApiDeps, 'db' | 'carrierAccounts'>, to: string | undefined, accountSid: string | undefined): Promise<CarrierCredentials | null> {
  if (!to || !accountSid || !deps.carrierAccounts) return null;
  const number = await deps.db.collections.inboundNumbers.findOne({ _id: to }, { projection: { org_id: 1, carrier_account_id: 1, account_sid: 1 } });
  if (!number?.carrier_account_id || number.account_sid !== accountSid) return null;
  const credentials = await deps.carrierAccounts.byId(number.org_id, number.carrier_account_id);
  return credentials?.accountSid === accountSid ? credentials : null;
}

/** Why a Send Call setting of the agent no longer resolves (a deleted pathway or tool), in one line. */
function configProblem(err: unknown): string {
  if (err instanceof ApiError) return `the agent's settings do not resolve: ${err.errors.join('; ')}`;
  throw err;
}

/**
 * An incoming call to one of the organisation's numbers: checks that the number is known, held
 * by the account the call came through, and has an agent; stores the call (`inbound: true`,
 * `from` the caller, `to` the number) and starts `call-<call_id>` with the number's agent, exactly
 * as Send Call builds an outbound call. The API does no call work: the first reply is the
 * workflow's (the route's callAnswered update). Anything that cannot answer is a reject: on the
 * organisation's own number, a call record and its event say why (`recordRejectedCall`); a number
 * that is no organisation's, or a call through the wrong account, has the reason in the log only.
 */
export async function startInboundCall(deps: ApiDeps, call: IncomingCall): Promise<InboundAnswer> {
  const number = await deps.db.collections.inboundNumbers.findOne({ _id: call.to });
  if (!number) return { kind: 'reject', reason: 'the number is not an inbound number here' };
  // A number belongs to the account holding it at the carrier; a call through any other account is not its call.
  if (number.account_sid !== call.accountSid) return { kind: 'reject', reason: 'the call came through an account that does not hold the number' };
  if (!agentCanAnswer(number.agent)) {
    return recordRejectedCall(deps, number, call, 'the number has no agent (set a prompt or a pathway_id with POST /v1/inbound/{phone_number})');
  }

  const orgId = number.org_id;
  // Seed 002's `{caller_no}` placeholders, for the names the number declares (docs/inbound.md).
  const body = withSingleBraces(agentCallBody(number.agent), await singleBraceNames(deps.db, number));
  let config;
  try {
    const extras = await resolveCallExtras(deps, orgId, body);
    const pathway = await resolveCallPathway(deps, orgId, body);
    config = { ...extras, ...(pathway ? { pathway } : {}), ...(await callVoice(deps, orgId, body)) };
  } catch (err) {
    return recordRejectedCall(deps, number, call, configProblem(err));
  }

  const callId = inboundCallId(call.accountSid, call.providerCallSid);
  const sip = sipHeadersFromParams(call.params);
  const input: CallWorkflowInput = {
    ...callWorkflowInput(
      { callId, orgId, batchId: null },
      { to: number._id, from: callerOf(call.from), body, encryptedKey: null, webhookBaseUrl: deps.publicBaseUrl, ...config },
      deps.callDefaults,
    ),
    inbound: { providerCallSid: call.providerCallSid, sipHeaders: sip.headers, answerStartsRecording: true },
  };
  await storeIncomingCall(deps, number, input, body, sip.dropped);
  try {
    await deps.temporal.workflow.start('phoneCallWorkflow', {
      taskQueue: deps.taskQueue,
      workflowId: callWorkflowId(callId),
      args: [input],
      typedSearchAttributes: callStartAttributes(input, null),
      memo: { summary: `Inbound call to ${mask(number._id)}`, org_id: orgId },
    });
  } catch (err) {
    // The carrier sent the webhook again: the call is already running, and this delivery answers it again.
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { kind: 'answer', callId, record: input.record };
    deps.logger.error({ err, callId }, 'inbound call workflow start failed');
    await deps.db.collections.calls.updateOne(
      { _id: callId, org_id: orgId },
      { $set: { queue_status: 'pre_queue_error', completed: true, error_message: 'The incoming call could not be started.' } },
    );
    return { kind: 'reject', reason: 'the call workflow could not be started' };
  }
  return { kind: 'answer', callId, record: input.record };
}

/**
 * A call to the organisation's number that its agent cannot answer (none set, or settings that no
 * longer resolve): the carrier rejects it, and the organisation sees it in its calls
 * (`GET /v1/calls?inbound=true`) with the reason in `error_message` and an event. No workflow runs.
 */
async function recordRejectedCall(deps: ApiDeps, number: InboundNumberDoc, call: IncomingCall, reason: string): Promise<InboundAnswer> {
  const callId = inboundCallId(call.accountSid, call.providerCallSid);
  const now = new Date();
  const input: CallWorkflowInput = {
    ...callWorkflowInput(
      { callId, orgId: number.org_id, batchId: null },
      { to: number._id, from: callerOf(call.from), body: {}, encryptedKey: null, webhookBaseUrl: deps.publicBaseUrl },
      deps.callDefaults,
    ),
    inbound: { providerCallSid: call.providerCallSid, sipHeaders: {} },
  };
  const message = `Rejected: ${reason}.`;
  const doc: CallDoc = {
    ...newCallDoc(input, { body: {}, queueStatus: 'call_error', endpointUrl: deps.publicBaseUrl, simulated: deps.telephony.simulated, now }),
    provider_call_sid: call.providerCallSid,
    status: 'failed',
    completed: true,
    ended_at: now,
    error_message: message,
  };
  try {
    await deps.db.collections.calls.insertOne(doc);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  await insertOnce(deps.db.collections.callEvents, [
    { _id: `${callId}:rejected`, org_id: number.org_id, call_id: callId, level: 'queue' as const, category: 'error' as const, message, timestamp: now },
  ]);
  return { kind: 'reject', reason };
}

/** The call's first record and event, idempotently: a repeated webhook finds them written. */
async function storeIncomingCall(deps: ApiDeps, number: InboundNumberDoc, input: CallWorkflowInput, body: Record<string, unknown>, droppedHeaders: number): Promise<void> {
  const now = new Date();
  const doc: CallDoc = {
    ...newCallDoc(input, { body, queueStatus: 'queued', endpointUrl: deps.publicBaseUrl, simulated: deps.telephony.simulated, now }),
    provider_call_sid: input.inbound!.providerCallSid,
  };
  // The number's own account (if any) signs the call's webhooks and takes its hang-up.
  const stored = { ...doc, carrier_account_id: number.carrier_account_id } as CallDoc;
  try {
    await deps.db.collections.calls.insertOne(stored);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  const headerCount = Object.keys(input.inbound!.sipHeaders).length;
  const events = [
    { suffix: 'queued', category: 'info' as const, message: `Incoming call${headerCount ? ` with ${headerCount} SIP header(s)` : ''}` },
    ...(droppedHeaders > 0
      ? [{ suffix: 'sip-headers', category: 'error' as const, message: `${droppedHeaders} SIP header(s) left out: a malformed name, a value over 1024 characters, or more than 50 headers` }]
      : []),
  ];
  await insertOnce(
    deps.db.collections.callEvents,
    events.map((e, i) => ({
      _id: `${input.callId}:${e.suffix}`, org_id: input.orgId, call_id: input.callId, level: 'queue' as const, category: e.category, message: e.message,
      timestamp: new Date(now.getTime() + i),
    })),
  );
}
