import twilio from 'twilio';
import type { SipAuth } from '../trunks/credentials';
import type { SessionAnswer } from '../workflow-api/session';

/** The carrier's callbacks of a bridged session's legs, shared by the activities (which register them) and the API (which serves them). */
export const SESSION_WEBHOOK_BASE_PATH = '/v1/telephony/twilio/sessions';

/**
 * `answer`: the caller picked up (TwiML: dial the callee); `status`: the caller's leg;
 * `callee-status`: the callee's `<Sip>` leg; `dial`: the `<Dial>` ended (how the callee's leg ended).
 */
export const SESSION_HOOKS = ['answer', 'status', 'callee-status', 'dial'] as const;
export type SessionHook = (typeof SESSION_HOOKS)[number];

export function sessionWebhookUrl(baseUrl: string, hook: SessionHook, sessionId: string): string {
  const url = new URL(`${SESSION_WEBHOOK_BASE_PATH}/${hook}`, baseUrl);
  url.searchParams.set('session_id', sessionId);
  return url.toString();
}

/**
 * The caller's answer: `<Dial callerId><Sip>` to the callee through the trunk (the headers are in the
 * SIP URI), or `<Dial><Number>` without a trunk; the callee's leg reports to `callee-status` and the
 * `<Dial>`'s end to `dial`. A session that is no longer ringing hangs up. `sipAuth` is the trunk's
 * digest credentials, opened by the caller for this answer only (`<Sip username password>`).
 */
export function sessionAnswerTwiml(answer: SessionAnswer, baseUrl: string, sessionId: string, sipAuth: SipAuth | null = null): string {
  const response = new twilio.twiml.VoiceResponse();
  if (answer.action === 'hangup') {
    response.hangup();
    return response.toString();
  }
  const dial = response.dial({
    callerId: answer.callee.from,
    action: sessionWebhookUrl(baseUrl, 'dial', sessionId),
    method: 'POST',
    timeout: answer.timeoutSeconds,
    timeLimit: answer.timeLimitSeconds,
    answerOnBridge: true,
  });
  const progress = {
    statusCallback: sessionWebhookUrl(baseUrl, 'callee-status', sessionId),
    statusCallbackMethod: 'POST',
    statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'] as never,
  };
  if (answer.callee.address.startsWith('sip:')) dial.sip({ ...progress, ...(sipAuth ? { username: sipAuth.username, password: sipAuth.password } : {}) }, answer.callee.address);
  else dial.number(progress, answer.callee.address);
  return response.toString();
}

export function sessionHangupTwiml(): string {
  const response = new twilio.twiml.VoiceResponse();
  response.hangup();
  return response.toString();
}
