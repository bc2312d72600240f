import { z } from 'zod';
import { CallDetailSchema, CallSummarySchema } from '../../src/presenters/call';
import { idempotencyKeyHeader, pathId, success, warnings } from '../contract/common';
import { endpoint } from '../contract/endpoint';
import { ListCallsQuerySchema } from '../schemas/list-calls';
import { SendCallBody } from '../schemas/send-call';

const tags = ['Calls'];
export const CallIdParams = z.object({ call_id: pathId('The call_id returned by Send Call') });

export const sendCall = endpoint({
  method: 'post',
  path: '/v1/calls',
  summary: 'Send Call',
  description: 'Queues an AI phone call. Unknown fields are kept in the call\'s `request_data`.',
  tags,
  access: 'apiKey',
  headers: z.object({
    'idempotency-key': idempotencyKeyHeader('returns the first call instead of placing another'),
    encrypted_key: z.string().max(500).optional().describe('Place the call through a custom Twilio account (POST /v1/accounts)'),
  }),
  body: SendCallBody,
  responses: {
    200: { description: 'Call queued', schema: success({ call_id: z.string(), batch_id: z.null(), warnings }) },
  },
  errors: [403, 404, 409, 413, 503],
});

export const listCalls = endpoint({
  method: 'get',
  path: '/v1/calls',
  summary: 'List calls',
  tags,
  access: 'apiKey',
  query: ListCallsQuerySchema,
  responses: {
    200: { description: 'The calls, newest first', schema: z.object({ status: z.literal('success'), total_count: z.number(), count: z.number(), calls: z.array(CallSummarySchema) }) },
  },
});

export const getCall = endpoint({
  method: 'get',
  path: '/v1/calls/{call_id}',
  summary: 'Call details',
  description: 'A live call answers with its workflow\'s own state (the transcript up to this turn).',
  tags,
  access: 'apiKey',
  params: CallIdParams,
  responses: { 200: { description: 'The call with its transcript', schema: CallDetailSchema } },
  errors: [404],
});

export const CALL_ENDPOINTS = [sendCall, listCalls, getCall];
