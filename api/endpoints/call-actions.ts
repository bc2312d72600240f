import { z } from 'zod';
import { CallEventSchema } from '../../src/presenters/call-event';
import { success } from '../contract/common';
import { endpoint } from '../contract/endpoint';
import { CallIdParams } from './calls';

const tags = ['Calls'];

export const stopActiveCalls = endpoint({
  method: 'post',
  path: '/v1/calls/active/stop',
  summary: 'Stop every active call',
  description: "Signals each of the organisation's calls that has not completed to hang up; `num_calls` counts those still running.",
  tags,
  access: 'apiKey',
  responses: { 200: { description: 'Stopping', schema: success({ num_calls: z.number().int() }) } },
});

export const stopCall = endpoint({
  method: 'post',
  path: '/v1/calls/{call_id}/stop',
  summary: 'Stop a call',
  tags,
  access: 'apiKey',
  params: CallIdParams,
  responses: { 200: { description: 'The call is hanging up', schema: success({}) } },
  errors: [404, 409],
});

export const getRecording = endpoint({
  method: 'get',
  path: '/v1/calls/{call_id}/recording',
  summary: 'Call recording',
  description:
    'The recording\'s URL as JSON; with `accept: audio/mpeg` (or `audio/wav`) the audio itself, fetched from the carrier. Recordings exist only for calls created with `record: true`.',
  tags,
  access: 'apiKey',
  params: CallIdParams,
  responses: { 200: { description: '`{status, url}`, or the audio when asked for by `accept`', schema: success({ url: z.string() }) } },
  errors: [404, 502],
});

export const getEventStream = endpoint({
  method: 'get',
  path: '/v1/event_stream/{call_id}',
  summary: "A call's events",
  description: 'Every event written by the call\'s workflow, oldest first; a live call\'s latest turns come from the workflow itself.',
  tags,
  access: 'apiKey',
  params: CallIdParams,
  responses: { 200: { description: 'The events, in order', schema: z.array(CallEventSchema) } },
  errors: [404],
});

export const CALL_ACTION_ENDPOINTS = [stopActiveCalls, stopCall, getRecording, getEventStream];
