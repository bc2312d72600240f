import { z } from 'zod';
import type { TwilioWebhook } from '../../src/telephony/webhook-urls';
import { endpoint } from '../contract/endpoint';

/** The carrier's callbacks, one path each under /v1/telephony/twilio. */
export const TWILIO_HOOKS = ['voice', 'gather', 'continue', 'turn-wait', 'status', 'amd', 'recording', 'dial-status'] as const satisfies readonly TwilioWebhook[];

/**
 * A form or query value the handler reads after the signature is verified: an unsigned request
 * must be a 403 whatever it carries, so these describe the values and never refuse one.
 */
export const afterSignature = (description: string) => z.unknown().optional().meta({ type: 'string', description });

export const twilioWebhook = endpoint({
  method: 'post',
  path: '/v1/telephony/twilio/{hook}',
  summary: 'Carrier webhooks',
  description:
    'Called by the carrier, never by API users: `voice` (answered; without `call_id`, an incoming call to one of the numbers: answered by its agent or rejected, docs/inbound.md), `gather` (a caller turn), `continue` (fetched after a reply that started work, such as a tool: the follow-up TwiML, docs/tools.md), `status`, `amd`, `recording` and `dial-status`. ' +
    'Each is verified against `X-Twilio-Signature` over the public URL with the server\'s auth token, or with the token of the account the call was placed on (encrypted_key) or that holds the number; then `call_id` and `CallSid` are checked.',
  tags: ['Telephony'],
  access: 'carrierSignature',
  params: z.object({ hook: z.enum(TWILIO_HOOKS).describe('Which callback') }),
  query: z.looseObject({ call_id: afterSignature('The call the webhook is for (set in the URL the server gave the carrier)') }),
  headers: z.looseObject({ 'x-twilio-signature': z.string().optional().describe("The carrier's signature of the URL and form parameters") }),
  bodyContentType: 'application/x-www-form-urlencoded',
  body: z
    .looseObject({
      CallSid: afterSignature('CA followed by 32 hex digits'),
      AccountSid: afterSignature('The account the call belongs to'),
      SpeechResult: afterSignature('gather: what the caller said'),
      CallStatus: afterSignature('status: the call leg\'s status'),
      CallDuration: afterSignature('status: seconds'),
      AnsweredBy: afterSignature('amd: human, machine_*, fax or unknown'),
      RecordingStatus: afterSignature('recording: completed when the file is ready'),
      RecordingSid: afterSignature('recording: RE followed by 32 hex digits'),
      RecordingUrl: afterSignature('recording: the file\'s URL at the carrier'),
      RecordingDuration: afterSignature('recording: seconds'),
      DialCallStatus: afterSignature('dial-status: how the transferred leg ended'),
      To: afterSignature('voice, status of an incoming call: the number called'),
      From: afterSignature('voice of an incoming call: the caller'),
      Direction: afterSignature('inbound for an incoming call'),
    })
    .optional(),
  responses: {
    200: { description: 'TwiML (voice, gather, continue, dial-status)', contentType: 'text/xml' },
    204: { description: 'Accepted (status, amd, recording)' },
  },
  errors: [403, 404],
});

export const TELEPHONY_ENDPOINTS = [twilioWebhook];
