import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import express, { Router, type Request, type Response } from 'express';
import { SESSION_WEBHOOK_BASE_PATH, sessionAnswerTwiml, sessionHangupTwiml, type SessionHook } from '../../src/sessions/webhooks';
import { toTelephonyStatus } from '../../src/telephony/twilio-provider';
import { openSipAuth } from '../../src/trunks/credentials';
import { sessionCallerAnsweredUpdate, sessionLegStatusSignal, sessionWorkflowId, type SessionLegStatusEvent } from '../../src/workflow-api/session';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { sessionWebhook } from '../endpoints/sessions';
import { badRequest, forbidden, notFound } from '../errors';
import { formParams } from './telephony-twilio';

const SESSION_ID = /^[A-Za-z0-9+/=]{8,64}$/;
const SID = /^CA[0-9a-fA-F]{32}$/;

/**
 * The carrier's webhooks of bridged sessions' legs. Each is verified against
 * `X-Twilio-Signature` over the public URL the carrier called, then becomes the session
 * workflow's update (the caller answered: the TwiML that dials the callee) or signal (a leg's status).
 */
export function sessionWebhooksRouter(deps: ApiDeps): Router {
  const router = Router();
  router.use(SESSION_WEBHOOK_BASE_PATH, express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }));
  const post = (hook: SessionHook, handler: (req: Request, res: Response) => Promise<void>) =>
    mountEndpoint(router, { ...sessionWebhook, path: `${SESSION_WEBHOOK_BASE_PATH}/${hook}`, params: undefined }, (_input, req, res) => handler(req, res));

  /** The carrier account of a session placed through a trunk with its own account (its webhooks are signed with that account's token). */
  async function sessionAccount(sessionId: string, accountSid: string | undefined) {
    if (!SESSION_ID.test(sessionId) || !deps.carrierAccounts) return null;
    const doc = await deps.db.collections.bridgeSessions.findOne({ _id: sessionId });
    const credentials = doc?.account_id ? await deps.carrierAccounts.byId(doc.org_id, doc.account_id) : null;
    return credentials && credentials.accountSid === accountSid ? credentials : null;
  }

  async function verified(req: Request): Promise<{ sessionId: string; params: Record<string, string>; sid: string }> {
    const params = formParams(req);
    const url = new URL(req.originalUrl, deps.publicBaseUrl).toString();
    const signature = req.get('x-twilio-signature');
    const sessionId = typeof req.query.session_id === 'string' ? req.query.session_id : '';
    // The server's own account first (no lookup); then the session's own account, if its trunk names one.
    if (!deps.telephony.validateWebhook(signature, url, params)) {
      const own = await sessionAccount(sessionId, params.AccountSid);
      if (!own || !deps.telephony.validateWebhook(signature, url, params, own)) throw forbidden('Invalid X-Twilio-Signature.');
    }
    if (!SESSION_ID.test(sessionId)) throw badRequest(['session_id is missing or malformed.']);
    const sid = params.CallSid ?? '';
    if (!SID.test(sid)) throw badRequest(['CallSid is missing or malformed.']);
    return { sessionId, params, sid };
  }

  const handle = (sessionId: string) => deps.temporal.workflow.getHandle(sessionWorkflowId(sessionId));

  async function signal(sessionId: string, event: SessionLegStatusEvent): Promise<void> {
    try {
      await handle(sessionId).signal(sessionLegStatusSignal, event);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound('Session not found.');
      throw err;
    }
  }

  post('answer', async (req, res) => {
    const { sessionId, sid } = await verified(req);
    let twiml: string;
    try {
      const answer = await handle(sessionId).executeUpdate(sessionCallerAnsweredUpdate, { args: [{ providerCallSid: sid }] });
      // The trunk's password travels sealed in the workflow; it is opened here, for this TwiML only.
      const sipAuth = answer.action === 'bridge' ? openSipAuth(deps.trunkSecrets, answer.callee.sipAuth) : null;
      twiml = sessionAnswerTwiml(answer, deps.publicBaseUrl, sessionId, sipAuth);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound('Session not found.');
      // A session that refused the answer (over, or not this leg) hangs the line up rather than erroring at the caller.
      if (!(err instanceof WorkflowUpdateFailedError)) throw err;
      twiml = sessionHangupTwiml();
    }
    res.type('text/xml').send(twiml);
  });

  post('status', async (req, res) => {
    const { sessionId, sid, params } = await verified(req);
    await signal(sessionId, { leg: 'caller', providerCallSid: sid, status: toTelephonyStatus(params.CallStatus ?? '') });
    res.status(204).end();
  });

  post('callee-status', async (req, res) => {
    const { sessionId, sid, params } = await verified(req);
    await signal(sessionId, { leg: 'callee', providerCallSid: sid, status: toTelephonyStatus(params.CallStatus ?? '') });
    res.status(204).end();
  });

  // The <Dial> ended: how the callee's leg went (busy, no-answer, completed…); the caller's leg then hangs up.
  post('dial', async (req, res) => {
    const { sessionId, params } = await verified(req);
    const calleeSid = SID.test(params.DialCallSid ?? '') ? params.DialCallSid! : '';
    const status = toTelephonyStatus(params.DialCallStatus ?? '');
    await signal(sessionId, { leg: 'callee', providerCallSid: calleeSid, status: status === 'in-progress' ? 'completed' : status });
    res.type('text/xml').send(sessionHangupTwiml());
  });

  return router;
}
