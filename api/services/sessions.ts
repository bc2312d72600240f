import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { isDuplicateKeyError } from '../../src/db/database';
import { randomInt } from 'node:crypto';
import { mask, parsePhoneNumber } from '../../src/phone';
import { bridgeSessionDetail, type SessionDetail } from '../../src/presenters/session';
import { planBridge, SessionPlanRefused, sessionProvider } from '../../src/sessions/providers';
import { SIP_USER } from '../../src/sessions/sip-headers';
import type { BridgeSessionDoc, SessionRequest } from '../../src/sessions/types';
import { SA } from '../../src/workflow-api/search-attributes';
import { sessionStateQuery, sessionWorkflowId, type SessionLiveState, type SessionWorkflowInput } from '../../src/workflow-api/session';
import type { ApiDeps } from '../deps';
import { badRequest, conflict, unavailable } from '../errors';
import { claimIdempotencyKey } from './create-call';
import { trunkByName } from './trunks';

/** Bounds a session's talk time, as max_duration bounds a call's (Twilio's <Dial timeLimit> too). */
const SESSION_MAX_DURATION_MINUTES = 240;
const LIVE_QUERY_TIMEOUT_MS = 2_000;
// eslint-disable-next-line no-control-regex -- a display name goes into a SIP header: no CR, LF or NUL
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Like the seed's example id: the base64 of an 18-digit number. */
export const newSessionId = (): string => Buffer.from(`${randomInt(1, 10)}${String(randomInt(0, 2 ** 47)).padStart(17, '0').slice(0, 17)}`).toString('base64');

/** The parts of a request no schema can judge alone: party formats (which depend on the trunk) and header-safe values. */
function checkParties(req: SessionRequest, throughTrunk: boolean): { caller: string; callee: string } {
  const problems: string[] = [];
  const parties = { caller: req.caller, callee: req.callee };
  for (const field of ['caller', 'callee'] as const) {
    const value = req[field].trim();
    if (throughTrunk) {
      if (!SIP_USER.test(value)) problems.push(`${field} must be a number or extension (letters, digits and + * . _ ~ ! -) to be sent through a trunk.`);
      parties[field] = value;
      continue;
    }
    const parsed = parsePhoneNumber(value);
    if (parsed.ok) parties[field] = parsed.e164;
    else problems.push(`${field}: ${parsed.reason} Without a trunk, ${field} is dialled as a phone number.`);
  }
  for (const field of ['rewrite_from', 'rewrite_pai', 'rewrite_rpi'] as const) {
    const value = req[field];
    if (value && !SIP_USER.test(value)) problems.push(`${field} must be a SIP user part: letters, digits and + * . _ ~ ! -.`);
  }
  if (req.caller_display_name && CONTROL_CHARACTERS.test(req.caller_display_name)) problems.push('caller_display_name must not contain control characters.');
  if (problems.length) throw badRequest(problems);
  return parties;
}

/**
 * POST /sessions: checks everything (the trunk is the organisation's; the provider can send what
 * is asked for), stores the record and starts `session-<id>`. A refused request dials and stores
 * nothing; a start that fails removes the record it wrote.
 */
export async function createBridgeSession(deps: ApiDeps, orgId: string, body: SessionRequest, idempotencyKey: string | null = null): Promise<SessionDetail> {
  const trunk = body.trunk ? await trunkByName(deps, orgId, body.trunk) : null;
  if (body.trunk && !trunk) throw badRequest([`trunk: no trunk named ${JSON.stringify(body.trunk)} in this organisation (see GET /v1/trunks).`]);
  const parties = checkParties(body, trunk !== null);
  const req: SessionRequest = { ...body, ...parties };
  let plan;
  try {
    plan = planBridge(req, trunk, sessionProvider(deps.telephony), deps.callDefaults.from);
  } catch (err) {
    if (err instanceof SessionPlanRefused) throw badRequest(err.problems);
    throw err;
  }
  const { id: sessionId, claimed } = await claimIdempotencyKey(deps, orgId, idempotencyKey, newSessionId());
  if (!claimed) {
    // A replay of an Idempotency-Key: the first request's session (a first request that died half-way is completed below).
    const first = await deps.db.collections.bridgeSessions.findOne({ _id: sessionId, org_id: orgId });
    if (first) return bridgeSessionDetail(first, null);
  }
  const now = new Date();
  const doc: BridgeSessionDoc = {
    _id: sessionId,
    org_id: orgId,
    workflow_id: sessionWorkflowId(sessionId),
    caller: req.caller,
    caller_display_name: req.caller_display_name ?? null,
    callee: req.callee,
    send_sdp: req.send_sdp,
    trunk: trunk?.name ?? null,
    trunk_id: trunk?._id ?? null,
    caller_sip_auth: plan.caller.sipAuth ?? null,
    account_id: trunk?.account_id ?? null,
    rewrite_from: req.rewrite_from ?? null,
    rewrite_pai: req.rewrite_pai ?? null,
    rewrite_rpi: req.rewrite_rpi ?? null,
    user_data: req.user_data ?? null,
    target: req.target ?? null,
    target_instance_id: req.target_instance_id ?? null,
    target_extension_number: req.target_extension_number ?? null,
    additional_header: req.additional_header ?? null,
    header_direction: req.additional_header ? (req.header_direction ?? 'CALLER') : null,
    state: 'ringing',
    end_reason: null,
    caller_leg: { provider_call_sid: null, status: null, dialing_since: null },
    callee_leg: { provider_call_sid: null, status: null },
    created_at: now,
    answered_at: null,
    bridged_at: null,
    ended_at: null,
    simulated: deps.telephony.simulated,
  };
  const input: SessionWorkflowInput = {
    sessionId,
    orgId,
    plan,
    webhookBaseUrl: deps.publicBaseUrl,
    ringTimeoutSeconds: deps.callDefaults.ringTimeoutSeconds,
    maxDurationMinutes: SESSION_MAX_DURATION_MINUTES,
    caller: req.caller,
    callee: req.callee,
    trunk: doc.trunk,
    userData: doc.user_data,
    createdAt: now.toISOString(),
  };
  try {
    await deps.db.collections.bridgeSessions.insertOne(doc);
  } catch (err) {
    // Two replays of one key at once: the other one stored it and starts it.
    if (!claimed && isDuplicateKeyError(err)) return bridgeSessionDetail((await deps.db.collections.bridgeSessions.findOne({ _id: sessionId, org_id: orgId }))!, null);
    throw err;
  }
  try {
    await deps.temporal.workflow.start('sessionWorkflow', {
      taskQueue: deps.taskQueue,
      workflowId: doc.workflow_id,
      args: [input],
      typedSearchAttributes: [
        { key: SA.CallId, value: sessionId },
        { key: SA.OrgId, value: orgId },
        { key: SA.Channel, value: 'bridge' },
        { key: SA.Direction, value: 'outbound' },
        { key: SA.CallStatus, value: 'ringing' },
      ],
      memo: { summary: `Bridged session ${mask(req.caller)} → ${mask(req.callee)}${doc.trunk ? ` through trunk ${doc.trunk}` : ''}`, org_id: orgId },
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict(`Session ${sessionId} was already started.`);
    await deps.db.collections.bridgeSessions.deleteOne({ _id: sessionId, org_id: orgId });
    deps.logger.error({ err, sessionId }, 'session workflow could not be started');
    throw unavailable('The session could not be started; nothing was dialled. Try again.');
  }
  return bridgeSessionDetail(doc, null);
}

/** A bridged session's live state; null when its workflow cannot answer (the record then stands alone). */
export async function liveSessionState(deps: ApiDeps, workflowId: string): Promise<SessionLiveState | null> {
  try {
    const handle = deps.temporal.workflow.getHandle(workflowId);
    return await deps.temporal.withAbortSignal(AbortSignal.timeout(LIVE_QUERY_TIMEOUT_MS), () => handle.query(sessionStateQuery));
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) deps.logger.warn({ err, workflowId }, 'live session state unavailable; answering from the record');
    return null;
  }
}
