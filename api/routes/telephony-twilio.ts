import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import express, { Router, type Request, type Response } from 'express';
import { performance } from 'node:perf_hooks';
import { callWorkflowId } from '../../src/ids';
import { toTelephonyStatus } from '../../src/telephony/twilio-provider';
import { agentReplyTwiml, hangupTwiml } from '../../src/telephony/twiml';
import { TWILIO_WEBHOOK_BASE_PATH, twilioWebhookUrl } from '../../src/telephony/webhook-urls';
import {
  type AgentReply,
  callAnsweredUpdate,
  telephonyStatusSignal,
  userTurnUpdate,
} from '../../src/workflow-api/call';
import type { ApiDeps } from '../deps';
import { badRequest, forbidden, notFound } from '../errors';

const CALL_ID = /^[0-9a-f-]{36}$/;
const SID = /^CA[0-9a-fA-F]{32}$/;

function formParams(req: Request): Record<string, string> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * Carrier webhooks. Each is verified against `X-Twilio-Signature` over the public URL the carrier
 * called, then becomes a workflow update (answer, caller turn) or signal (status). No call state here.
 */
export function twilioWebhooksRouter(deps: ApiDeps): Router {
  const router = Router();
  router.use(TWILIO_WEBHOOK_BASE_PATH, express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }));

  function verified(req: Request): { callId: string; params: Record<string, string>; sid: string } {
    const params = formParams(req);
    const url = new URL(req.originalUrl, deps.publicBaseUrl).toString();
    if (!deps.telephony.validateWebhook(req.get('x-twilio-signature'), url, params)) {
      throw forbidden('Invalid X-Twilio-Signature.');
    }
    const callId = typeof req.query.call_id === 'string' ? req.query.call_id : '';
    if (!CALL_ID.test(callId)) throw badRequest(['call_id is missing or malformed.']);
    const sid = params.CallSid ?? '';
    if (!SID.test(sid)) throw badRequest(['CallSid is missing or malformed.']);
    return { callId, params, sid };
  }

  async function respondWithTurn(res: Response, callId: string, run: () => Promise<AgentReply>) {
    const started = performance.now();
    let twiml: string;
    try {
      const reply = await run();
      const gatherUrl = twilioWebhookUrl(deps.publicBaseUrl, 'gather', callId);
      twiml = agentReplyTwiml(reply, { gatherUrl, language: reply.language, voice: reply.voice });
      const total = performance.now() - started;
      res.setHeader('Server-Timing', `model;dur=${reply.modelMs.toFixed(2)}, turn;dur=${total.toFixed(2)}`);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound('Call not found.');
      // A turn the workflow refused (call already over, wrong SID) ends the line instead of erroring at the caller.
      if (!(err instanceof WorkflowUpdateFailedError)) throw err;
      twiml = hangupTwiml();
    }
    res.type('text/xml').send(twiml);
  }

  router.post(`${TWILIO_WEBHOOK_BASE_PATH}/voice`, async (req, res) => {
    const { callId, sid } = verified(req);
    await respondWithTurn(res, callId, () =>
      deps.temporal.workflow.getHandle(callWorkflowId(callId)).executeUpdate(callAnsweredUpdate, { args: [{ providerCallSid: sid }] }),
    );
  });

  router.post(`${TWILIO_WEBHOOK_BASE_PATH}/gather`, async (req, res) => {
    const { callId, sid, params } = verified(req);
    const text = (params.SpeechResult ?? '').slice(0, 4000);
    await respondWithTurn(res, callId, () =>
      deps.temporal.workflow.getHandle(callWorkflowId(callId)).executeUpdate(userTurnUpdate, { args: [{ providerCallSid: sid, text }] }),
    );
  });

  router.post(`${TWILIO_WEBHOOK_BASE_PATH}/status`, async (req, res) => {
    const { callId, sid, params } = verified(req);
    const duration = params.CallDuration !== undefined ? Number(params.CallDuration) : NaN;
    try {
      await deps.temporal.workflow.getHandle(callWorkflowId(callId)).signal(telephonyStatusSignal, {
        providerCallSid: sid,
        status: toTelephonyStatus(params.CallStatus ?? ''),
        durationSeconds: Number.isFinite(duration) ? duration : null,
      });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound('Call not found.');
      throw err;
    }
    res.status(204).end();
  });

  return router;
}
