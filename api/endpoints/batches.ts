import { z } from 'zod';
import { BatchDetailSchema, BatchListItemSchema } from '../../src/presenters/batch';
import { pathId, success, warnings } from '../contract/common';
import { endpoint } from '../contract/endpoint';
import { BatchBody, BatchDetailQuery, ListBatchesQuery, REPLAY_OUTCOMES, ReplayBody } from '../schemas/batch';

const tags = ['Batches'];
const BatchIdParams = z.object({ batch_id: pathId('The batch_id returned by POST /v1/batches') });
const EncryptedKeyHeader = z.object({
  encrypted_key: z.string().max(500).optional().describe('Place the calls through a custom Twilio account (POST /v1/accounts)'),
});
const skippedRows = z.array(z.object({ index: z.number(), reason: z.string() }));

export const sendBatch = endpoint({
  method: 'post',
  path: '/v1/batches',
  summary: 'Send a batch of calls',
  description:
    'One durable batch workflow dials every row of `call_data` in a sliding window. Every Send Call parameter is also accepted and applied to each call; other fields are kept in the batch\'s `call_params`. Top-level `phone_number` and `task` (sent by Bland\'s clients) are ignored and named in `warnings`.',
  tags,
  access: 'apiKey',
  headers: EncryptedKeyHeader,
  body: BatchBody,
  responses: {
    200: {
      description: 'Batch created',
      schema: z.object({
        message: z.literal('success'),
        batch_id: z.string(),
        skipped_rows: skippedRows.optional().describe('Rows left out with skip_invalid_rows'),
        test_mode: z
          .object({ dialled_rows: z.literal(1), rows_received: z.number(), first_call: z.looseObject({ phone_number: z.string() }).describe("The first row's Send Call body") })
          .optional(),
        warnings,
      }),
    },
  },
  errors: [404, 413],
});

export const listBatches = endpoint({
  method: 'get',
  path: '/v1/batches',
  summary: 'List batches',
  tags,
  access: 'apiKey',
  query: ListBatchesQuery,
  responses: { 200: { description: 'The batches, newest first', schema: z.object({ status: z.literal('success'), batches: z.array(BatchListItemSchema) }) } },
});

export const getBatch = endpoint({
  method: 'get',
  path: '/v1/batches/{batch_id}',
  summary: 'Batch details',
  description: 'The batch\'s parameters, its calls in row order and an analysis of their outcomes.',
  tags,
  access: 'apiKey',
  params: BatchIdParams,
  query: BatchDetailQuery,
  responses: { 200: { description: 'The batch', schema: BatchDetailSchema } },
  errors: [404],
});

export const stopBatchEndpoint = endpoint({
  method: 'post',
  path: '/v1/batches/{batch_id}/stop',
  summary: 'Stop a batch',
  description: 'Rows not dialled yet are cancelled and live calls are stopped; the batch completes once they have ended.',
  tags,
  access: 'apiKey',
  params: BatchIdParams,
  responses: { 200: { description: 'Stopping', schema: success({ num_calls: z.number().describe('Rows cancelled + live calls stopped'), batch_id: z.string() }) } },
  errors: [404, 409],
});

const counts = z.record(z.string(), z.number());

export const batchProgressEndpoint = endpoint({
  method: 'get',
  path: '/v1/batches/{batch_id}/progress',
  summary: 'Live window of a batch',
  description: 'Beyond the seed: the batch workflow\'s own state (queued, live, done by status, calls per second), from its `batchProgress` query.',
  tags,
  access: 'apiKey',
  params: BatchIdParams,
  responses: {
    200: {
      description: 'Progress',
      schema: z.object({
        status: z.literal('success'),
        batch_id: z.string(),
        batch_status: z.enum(['in-progress', 'completed']),
        queued: z.number(),
        live: z.number(),
        done: z.number(),
        queue_statuses: counts,
        statuses: counts,
        stopped: z.boolean(),
        cancelled_rows: z.number(),
        calls_per_second: z.number(),
        run: z.number().describe('Runs of the workflow so far (continue-as-new)'),
      }),
    },
  },
  errors: [404],
});

export const replayBatchEndpoint = endpoint({
  method: 'post',
  path: '/v1/batches/{batch_id}/replay',
  summary: 'Replay the failed calls of a batch',
  description: 'The rows whose calls ended in `statuses` are dialled again as a new batch linked by `replay_of`. The body may be left out.',
  tags,
  access: 'apiKey',
  params: BatchIdParams,
  headers: EncryptedKeyHeader,
  body: ReplayBody,
  responses: {
    200: {
      description: 'The new batch',
      schema: z.object({ message: z.literal('success'), batch_id: z.string(), replay_of: z.string(), num_calls: z.number(), statuses: z.array(z.enum(REPLAY_OUTCOMES)) }),
    },
  },
  errors: [404, 409],
});

export const replayCallEndpoint = endpoint({
  method: 'post',
  path: '/v1/calls/{call_id}/replay',
  summary: 'Replay one finished call',
  description: 'A call of a batch becomes a one-row batch linked by `replay_of`; a call sent on its own becomes a new call with the same parameters. The body may be left out; `statuses` is not used.',
  tags: ['Calls'],
  access: 'apiKey',
  params: z.object({ call_id: pathId('The call to dial again') }),
  headers: EncryptedKeyHeader,
  body: ReplayBody,
  responses: {
    200: {
      description: 'Replayed',
      schema: success({
        call_id: z.string().optional().describe('The new call, for a call sent on its own'),
        batch_id: z.string().nullable(),
        replay_of: z.string(),
      }),
    },
  },
  errors: [404, 409, 503],
});

export const BATCH_ENDPOINTS = [sendBatch, listBatches, getBatch, stopBatchEndpoint, batchProgressEndpoint, replayBatchEndpoint, replayCallEndpoint];
