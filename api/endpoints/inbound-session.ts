import { z } from 'zod';
import { SESSION_LIFETIME } from '../../src/inbound/sessions';
import { int, obj, optional, phone, shape, str } from '../../src/validation/fields';
import { endpoint } from '../contract/endpoint';

/** Seed 000's body, plus `expires_in` (seconds) for a lifetime other than the default hour. */
export const InboundSessionBody = shape({
  phone_number: phone('phone_number: ').describe('An inbound number of the organisation the session is for (any form Send Call accepts).').meta({ examples: ['+12223334444'] }),
  request_data: optional(obj(65_536))
    .describe("Variables the call made with this token has, beside the number's own; at most 64 KiB of JSON.")
    .meta({ examples: [{ customer_id: '12345', campaign_name: 'summer_promotion' }] }),
  voice: optional(str(200)).describe("The voice the agent uses on that call, instead of the number's."),
  expires_in: optional(int(SESSION_LIFETIME.minSeconds, SESSION_LIFETIME.maxSeconds))
    .describe('Seconds until the token expires (not in the seed).')
    .meta({ default: SESSION_LIFETIME.defaultSeconds }),
});

export const createInboundSession = endpoint({
  method: 'post',
  path: '/v1/inbound/session',
  summary: 'Create inbound session',
  description:
    "A token for the `x-bland-session-id` SIP header of an inbound call to the number: that call gets the session's `request_data` among its variables and its `voice`. The token can be used for any number of calls to that number until it expires; an unknown, expired or foreign token never fails a call (the call goes on without it, and its event stream says so).",
  tags: ['Numbers'],
  access: 'apiKey',
  body: InboundSessionBody,
  responses: {
    200: {
      description: 'The token (shown once) and when it expires',
      schema: z.object({ token: z.string().describe('Send as the x-bland-session-id SIP header'), expires_at: z.string().describe('ISO 8601') }),
    },
  },
});

export const INBOUND_SESSION_ENDPOINTS = [createInboundSession];
