import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import express, { Router, type Request, type Response } from 'express';
import { performance } from 'node:perf_hooks';
import twilio from 'twilio';
import { inboundCallId } from '../../src/calls/inbound-call';
import { callWorkflowId } from '../../src/ids';
import { mask } from '../../src/phone';
import { toTelephonyStatus } from '../../src/telephony/twilio-provider';
import { agentReplyTwiml, hangupTwiml, holdTwiml, transferTwiml, withRecordingStarted } from '../../src/telephony/twiml';
import { TWILIO_WEBHOOK_BASE_PATH, twilioWebhookUrl } from '../../src/telephony/webhook-urls';
import {
  type AgentReply,
  amdResultSignal,
  callAnsweredUpdate,
  continueTurnUpdate,
  recordingReadySignal,
  telephonyStatusSignal,
  transferStatusSignal,
  turnGivenUpSignal,
  userTurnUpdate,
} from '../../src/workflow-api/call';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { twilioWebhook, type TWILIO_HOOKS } from '../endpoints/telephony';
import { callAccountLookup } from '../services/call-account';
import { badRequest, forbidden, notFound } from '../errors';
import { inboundNumberAccount, startInboundCall } from '../services/inbound-call';
import { isHeld, MAX_TURN_HOLDS, newTurnId, TURN_HOLD_MS, turnWaitQuery, turnWaitUrl, withinHold } from './turn-hold';

/** Refuses an incoming call before it is answered: the caller hears a busy tone, and nothing is billed. */
function rejectTwiml(): string {
  const response = new twilio.twiml.VoiceResponse();
  response.reject();
  return response.toString();
}

const CALL_ID = /^[0-9a-f-]{36}$/;
const SID = /^CA[0-9a-fA-F]{32}$/;

/** The carrier's form fields that are strings (what its signature covers). */
export function formParams(req: Request): Record<string, string> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** Twilio's AnsweredBy words → Bland's. */
function answeredBy(raw: string | undefined): 'human' | 'voicemail' | 'unknown' {
  if (raw === 'human') return 'human';
  if (raw?.startsWith('machine') || raw === 'fax') return 'voicemail';
  return 'unknown';
}

const seconds = (raw: string | undefined): number | null => {
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : null;
};

/** What a turn's first TwiML document starts with, besides the turn (an incoming call's recording). */
type Opening = (twiml: string) => string;

/**
 * Carrier webhooks. Each is verified against `X-Twilio-Signature` over the public URL the carrier
 * called, then becomes a workflow update (answer, caller turn) or signal (statuses, detection,
 * transfer, recording). An incoming call (the voice hook without a `call_id`) starts its call
 * workflow first (api/services/inbound-call.ts). No call state lives here.
 */
export function twilioWebhooksRouter(deps: ApiDeps): Router {
  const router = Router();
  const byotAccounts = callAccountLookup(deps);
  // One route per hook (unknown hooks stay a 404), each described by the one `{hook}` operation.
  const post = (hook: (typeof TWILIO_HOOKS)[number], handler: (req: Request, res: Response) => Promise<void>) =>
    mountEndpoint(router, { ...twilioWebhook, path: `${TWILIO_WEBHOOK_BASE_PATH}/${hook}`, params: undefined }, (_input, req, res) => handler(req, res));
  router.use(TWILIO_WEBHOOK_BASE_PATH, (_req, res, next) => {
    res.locals.receivedAt = performance.now();
    next();
  });
  router.use(TWILIO_WEBHOOK_BASE_PATH, express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }));

  async function verified(req: Request): Promise<{ callId: string; params: Record<string, string>; sid: string }> {
    const params = formParams(req);
    const url = new URL(req.originalUrl, deps.publicBaseUrl).toString();
    const callId = typeof req.query.call_id === 'string' ? req.query.call_id : '';
    const signature = req.get('x-twilio-signature');
    // The server's own account first (no lookup); then the call's own account, if it was placed with an encrypted_key.
    if (!deps.telephony.validateWebhook(signature, url, params)) {
      const own = CALL_ID.test(callId) ? await byotAccounts.forCall(callId, params.AccountSid) : null;
      if (!own || !deps.telephony.validateWebhook(signature, url, params, own)) throw forbidden('Invalid X-Twilio-Signature.');
    }
    if (!CALL_ID.test(callId)) throw badRequest(['call_id is missing or malformed.']);
    const sid = params.CallSid ?? '';
    if (!SID.test(sid)) throw badRequest(['CallSid is missing or malformed.']);
    return { callId, params, sid };
  }

  /**
   * A number's own webhooks (an incoming call's voice and status) carry no `call_id`: they are signed
   * by the server's account, or by the own account holding the number (`To`).
   */
  async function verifiedIncoming(req: Request): Promise<{ params: Record<string, string>; sid: string }> {
    const params = formParams(req);
    const url = new URL(req.originalUrl, deps.publicBaseUrl).toString();
    const signature = req.get('x-twilio-signature');
    if (!deps.telephony.validateWebhook(signature, url, params)) {
      const own = await inboundNumberAccount(deps, params.To, params.AccountSid);
      if (!own || !deps.telephony.validateWebhook(signature, url, params, own)) throw forbidden('Invalid X-Twilio-Signature.');
    }
    const sid = params.CallSid ?? '';
    if (!SID.test(sid)) throw badRequest(['CallSid is missing or malformed.']);
    if (!/^AC[0-9a-fA-F]{32}$/.test(params.AccountSid ?? '')) throw badRequest(['AccountSid is missing or malformed.']);
    return { params, sid };
  }
  const incoming = (req: Request) => req.query.call_id === undefined;

  const handle = (callId: string) => deps.temporal.workflow.getHandle(callWorkflowId(callId));

  async function signal<T>(res: Response, callId: string, def: SignalDefinition<[T]>, arg: T) {
    try {
      await handle(callId).signal(def, arg);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound('Call not found.');
      throw err;
    }
    res.status(204).end();
  }

  /**
   * Answers a turn webhook with the workflow's reply to update `updateId`, or, when it is not ready
   * within TURN_HOLD_MS of the webhook's arrival (an incoming call's start counts), with a hold that
   * brings the carrier back for it (./turn-hold.ts). `holds`: how many so far; after one, an update not
   * found yet (still on its way to the server) is not ready either. After the last hold the line is
   * hung up, and the call is told why first (`turnGivenUpSignal`), so its record says so.
   */
  async function respondWithTurn(res: Response, line: { callId: string; sid: string }, turn: Promise<AgentReply>, updateId: string, holds = 0, opening: Opening = (t) => t) {
    const { callId } = line;
    const started = performance.now();
    const send = (twiml: string) => void res.type('text/xml').send(opening(twiml));
    const hold = async () => {
      res.setHeader('Server-Timing', `hold;dur=${(performance.now() - started).toFixed(2)}`);
      if (holds < MAX_TURN_HOLDS) {
        deps.logger.warn({ callId, holds: holds + 1 }, 'turn not ready in time: the line is held');
        return send(holdTwiml(turnWaitUrl(deps.publicBaseUrl, callId, updateId, holds + 1)));
      }
      deps.logger.error({ callId, holds }, 'turn still not ready after the last hold: the line is hung up');
      await tellTurnGivenUp(line, holds);
      send(hangupTwiml());
    };
    let twiml: string;
    try {
      const reply = await withinHold(turn, TURN_HOLD_MS - (started - ((res.locals.receivedAt as number | undefined) ?? started)));
      if (isHeld(reply)) return await hold();
      twiml =
        reply.action === 'transfer' && reply.transferTo
          ? transferTwiml(reply, reply.transferTo, twilioWebhookUrl(deps.publicBaseUrl, 'dial-status', callId))
          : agentReplyTwiml(reply, twilioWebhookUrl(deps.publicBaseUrl, 'gather', callId), twilioWebhookUrl(deps.publicBaseUrl, 'continue', callId));
      const total = performance.now() - started;
      res.setHeader('Server-Timing', `model;dur=${reply.modelMs.toFixed(2)}, turn;dur=${total.toFixed(2)}`);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError && holds > 0) return await hold();
      if (err instanceof WorkflowNotFoundError) throw notFound('Call not found.');
      // A turn the workflow refused (call already over, wrong SID) ends the line instead of erroring at the caller.
      if (!(err instanceof WorkflowUpdateFailedError)) throw err;
      twiml = hangupTwiml();
    }
    send(twiml);
  }

  post('voice', async (req, res) => {
    if (incoming(req)) return answerIncoming(req, res);
    const { callId, sid } = await verified(req);
    await sendTurn(res, callId, callAnsweredUpdate, { providerCallSid: sid });
  });

  post('gather', async (req, res) => {
    const { callId, sid, params } = await verified(req);
    const text = (params.SpeechResult ?? '').slice(0, 4000);
    await sendTurn(res, callId, userTurnUpdate, { providerCallSid: sid, text });
  });

  // After a reply that started work during the turn (a tool): the follow-up, once the work is done.
  post('continue', async (req, res) => {
    const { callId, sid } = await verified(req);
    await sendTurn(res, callId, continueTurnUpdate, { providerCallSid: sid });
  });

  // The carrier back for a reply that was not ready (a hold): the same update's result, or another hold.
  post('turn-wait', async (req, res) => {
    const { callId, sid } = await verified(req);
    const { updateId, holds } = turnWaitQuery(req);
    await respondWithTurn(res, { callId, sid }, handle(callId).getUpdateHandle<AgentReply>(updateId).result(), updateId, holds);
  });

  /** The line is hung up either way: a call already gone needs no telling, and any other failure is logged. */
  async function tellTurnGivenUp(line: { callId: string; sid: string }, holds: number) {
    try {
      await handle(line.callId).signal(turnGivenUpSignal, { providerCallSid: line.sid, holds });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) deps.logger.error({ callId: line.callId, err }, 'call not told that its turn was given up');
    }
  }

  /** A turn as a workflow update whose ID is chosen here, so that a hold can fetch its result later. */
  async function sendTurn<A extends { providerCallSid: string }>(res: Response, callId: string, def: UpdateDefinition<AgentReply, [A]>, arg: A, opening?: Opening) {
    const updateId = newTurnId();
    await respondWithTurn(res, { callId, sid: arg.providerCallSid }, handle(callId).executeUpdate(def, { args: [arg], updateId }), updateId, 0, opening);
  }

  // An incoming call arrives at its number's voice hook; the agent answers it, or it is rejected.
  async function answerIncoming(req: Request, res: Response) {
    const { params, sid } = await verifiedIncoming(req);
    const to = params.To ?? '';
    const started = await startInboundCall(deps, { providerCallSid: sid, accountSid: params.AccountSid!, to, from: params.From ?? '', params });
    if (started.kind === 'reject') {
      deps.logger.warn({ number: mask(to), providerCallSid: sid, reason: started.reason }, 'incoming call rejected');
      return void res.type('text/xml').send(rejectTwiml());
    }
    // A recorded call's first answer, whatever it is (the reply, a hold, a hang-up), starts the recording.
    const recordingUrl = twilioWebhookUrl(deps.publicBaseUrl, 'recording', started.callId);
    await sendTurn(res, started.callId, callAnsweredUpdate, { providerCallSid: sid }, started.record ? (t) => withRecordingStarted(t, recordingUrl) : undefined);
  }

  post('status', async (req, res) => {
    if (incoming(req)) {
      // The number's status callback: the call is found by the carrier's SID; a rejected call has none.
      const { sid, params } = await verifiedIncoming(req);
      const callId = inboundCallId(params.AccountSid!, sid);
      try {
        await handle(callId).signal(telephonyStatusSignal, { providerCallSid: sid, status: toTelephonyStatus(params.CallStatus ?? ''), durationSeconds: seconds(params.CallDuration) });
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      return void res.status(204).end();
    }
    const { callId, sid, params } = await verified(req);
    await signal(res, callId, telephonyStatusSignal, {
      providerCallSid: sid,
      status: toTelephonyStatus(params.CallStatus ?? ''),
      durationSeconds: seconds(params.CallDuration),
    });
  });

  post('amd', async (req, res) => {
    const { callId, sid, params } = await verified(req);
    await signal(res, callId, amdResultSignal, { providerCallSid: sid, answeredBy: answeredBy(params.AnsweredBy) });
  });

  post('recording', async (req, res) => {
    const { callId, sid, params } = await verified(req);
    if (params.RecordingStatus !== 'completed') return void res.status(204).end();
    const recordingSid = params.RecordingSid ?? '';
    const url = params.RecordingUrl ?? '';
    if (!/^RE[0-9a-fA-F]{32}$/.test(recordingSid) || !/^https?:\/\//.test(url)) {
      throw badRequest(['RecordingSid or RecordingUrl is missing or malformed.']);
    }
    await signal(res, callId, recordingReadySignal, {
      providerCallSid: sid,
      recordingSid,
      url,
      durationSeconds: seconds(params.RecordingDuration),
    });
  });

  // The transferred leg ended (or never connected): record it, and end the original call.
  post('dial-status', async (req, res) => {
    const { callId, sid, params } = await verified(req);
    try {
      await handle(callId).signal(transferStatusSignal, { providerCallSid: sid, status: toTelephonyStatus(params.DialCallStatus ?? '') });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound('Call not found.');
      throw err;
    }
    res.type('text/xml').send(hangupTwiml());
  });

  return router;
}
