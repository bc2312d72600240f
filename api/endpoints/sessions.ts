import { z } from 'zod';
import { SessionDetailSchema, SessionSummarySchema } from '../../src/presenters/session';
import { SESSION_HOOKS } from '../../src/sessions/webhooks';
import { ADDITIONAL_HEADERS, HEADER_DIRECTIONS, SESSION_LIMITS as L } from '../../src/sessions/types';
import { bool, enumOf, LABEL, optional, shape, str } from '../../src/validation/fields';
import { alsoUnderV1, idempotencyKeyHeader, pathId } from '../contract/common';
import { endpoint } from '../contract/endpoint';
import { qInt, qString } from '../contract/query-fields';
import { afterSignature } from './telephony';

const tags = ['Sessions'];

/** A string of `min`..`max` characters, the seed's bounds, in Bland's wording. */
const bounded = (min: number, max: number) =>
  min > 0 ? str(max).refine((v) => v.length >= min, { error: `${LABEL} must be at least ${min} character${min === 1 ? '' : 's'}.` }) : str(max);
/** caller and callee: a number or an extension, never blank. */
const party = (max: number) => str(max).refine((v) => v.trim().length > 0, { error: `${LABEL} must not be empty.` });

export const CreateSessionBody = shape({
  caller: party(L.caller).describe('The caller number of the call: rung first. A phone number without a trunk; with one, the user part of the INVITE\'s request URI (a number or an extension)'),
  caller_display_name: optional(bounded(0, L.callerDisplayName)).describe("The caller display name of the call: the From header's display name on the callee's INVITE"),
  callee: party(L.callee).describe('The callee number of the call: dialled once the caller answers'),
  send_sdp: bool().describe('Whether to send SDP in the INVITEs (false: a delayed offer)'),
  trunk: optional(bounded(L.trunkMin, L.trunkMax)).describe('The name of the trunk (see /v1/trunks) the legs are sent through'),
  rewrite_from: optional(bounded(L.rewriteMin, L.rewriteMax)).describe('Through the trunk: the user part of the From header on the callee\'s INVITE'),
  rewrite_pai: optional(bounded(L.rewriteMin, L.rewriteMax)).describe('Through the trunk: the user part of the P-Asserted-Identity header on the callee\'s INVITE'),
  rewrite_rpi: optional(bounded(L.rewriteMin, L.rewriteMax)).describe('Through the trunk: the user part of the Remote-Party-ID header on the callee\'s INVITE'),
  user_data: optional(bounded(0, L.userData)).describe('The user context of the call: returned with the session, never interpreted'),
  target: optional(bounded(0, L.target)).describe('The target address: stored and returned with the session'),
  target_instance_id: optional(bounded(0, L.target)).describe('The target instance ID: stored and returned with the session'),
  target_extension_number: optional(bounded(0, L.target)).describe('The target extension number: stored and returned with the session'),
  additional_header: optional(enumOf(ADDITIONAL_HEADERS)).describe(
    'An RFC 5373 auto-answer header for the INVITE: ANSWER_MODE (Answer-Mode: Auto), CALL_INFO (Call-Info: answer-after=0), ALERT_INFO_AUTO_ANSWER_DELAY0 (Alert-Info: info=alert-autoanswer;delay=0), ALERT_INFO_AUTO_ANSWER (Alert-Info: info=Auto Answer), ALERT_INFO_INTERCOM (Alert-Info: info=intercom)',
  ),
  header_direction: optional(enumOf(HEADER_DIRECTIONS)).describe('Which INVITEs get additional_header: CALLER (the default), CALLEE or ALL; ignored without additional_header'),
});
export type CreateSessionInput = z.infer<typeof CreateSessionBody>;

const SessionParams = z.object({ id: pathId('The unique ID of the session (or an AI call\'s call_id)').meta({ examples: ['NzAwNTUxOTA5NzczMTQ4MTYw'] }) });

export const LIST_PAGE_MAX = 100;
const ListQuery = z.strictObject(
  {
    page_size: qInt(1).refine((n) => n <= LIST_PAGE_MAX, { error: `${LABEL} must be at most ${LIST_PAGE_MAX}.` }).optional().describe(`Sessions per page, 1-${LIST_PAGE_MAX} (default 50)`),
    page_token: qString(1024).optional().describe('next_page_token of the previous page'),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `${LABEL}.${iss.keys[0]} is not a known parameter (known: page_size, page_token).` : undefined) },
);

export const [listSessions, listSessionsV1] = alsoUnderV1(
  endpoint({
    method: 'get',
    path: '/sessions',
    summary: 'List current active call sessions',
    description:
      "Every live call session of the organisation, read from the workflows themselves (never a stored copy): outbound and inbound AI calls, chats and web calls, and bridged sessions. A session that has ended is not listed. Paged with page_size and page_token.",
    tags,
    access: 'apiKey',
    query: ListQuery,
    responses: {
      200: {
        description: 'One page of live sessions, newest first',
        schema: z.object({ status: z.literal('success'), sessions: z.array(SessionSummarySchema), next_page_token: z.string().nullable() }),
      },
    },
    errors: [503],
  }),
);

export const [createSession, createSessionV1] = alsoUnderV1(
  endpoint({
    method: 'post',
    path: '/sessions',
    summary: 'Create call session',
    description:
      'Rings the caller; when the caller answers, dials the callee (through the named trunk, with the requested rewrites and auto-answer header) and bridges them. ' +
      'A header or field the telephony provider cannot send is refused (400, naming it and the provider), never dropped: docs/sessions.md has the table. Nothing is dialled or stored when the request is refused.',
    tags,
    access: 'apiKey',
    headers: z.object({
      'idempotency-key': idempotencyKeyHeader('returns the first session instead of ringing the caller again'),
    }),
    body: CreateSessionBody,
    responses: { 200: { description: 'The session was created and its caller is being rung', schema: z.object({ status: z.literal('success'), session_id: z.string(), session: SessionDetailSchema }) } },
    errors: [409, 503],
  }),
);

export const [getSession, getSessionV1] = alsoUnderV1(
  endpoint({
    method: 'get',
    path: '/sessions/{id}',
    summary: 'Retrieve call session by ID',
    description: 'A bridged session (live state while it runs, its record once it has ended), or a live AI call or chat by its call_id.',
    tags,
    access: 'apiKey',
    params: SessionParams,
    responses: { 200: { description: 'The session', schema: z.object({ status: z.literal('success'), session: SessionSummarySchema.or(SessionDetailSchema) }) } },
    errors: [404],
  }),
);

export const sessionWebhook = endpoint({
  method: 'post',
  path: '/v1/telephony/twilio/sessions/{hook}',
  summary: 'Carrier webhooks of bridged sessions',
  description:
    "Called by the carrier, never by API users: `answer` (the caller picked up: TwiML that dials the callee), `status` (the caller's leg), `callee-status` (the callee's leg) and `dial` (the callee's leg ended). Verified against `X-Twilio-Signature` over the public URL, then `session_id` and `CallSid` are checked.",
  tags: ['Telephony'],
  access: 'carrierSignature',
  params: z.object({ hook: z.enum(SESSION_HOOKS).describe('Which callback') }),
  query: z.looseObject({ session_id: afterSignature('The session the webhook is for') }),
  headers: z.looseObject({ 'x-twilio-signature': z.string().optional().describe("The carrier's signature of the URL and form parameters") }),
  bodyContentType: 'application/x-www-form-urlencoded',
  body: z
    .looseObject({
      CallSid: afterSignature('CA followed by 32 hex digits: the leg the callback is about (the parent leg for `dial`)'),
      CallStatus: afterSignature('status, callee-status: the leg\'s status'),
      DialCallStatus: afterSignature('dial: how the callee\'s leg ended'),
      DialCallSid: afterSignature('dial: the callee\'s leg'),
    })
    .optional(),
  responses: { 200: { description: 'TwiML (answer, dial)', contentType: 'text/xml' }, 204: { description: 'Accepted (status, callee-status)' } },
  errors: [403, 404],
});

export const SESSION_ENDPOINTS = [listSessions, listSessionsV1, createSession, createSessionV1, getSession, getSessionV1, sessionWebhook];
