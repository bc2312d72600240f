import { analyzeRequestBody } from './openapi-analysis';
import { MAX_BATCH_LIST_LIMIT } from './routes/batches';

/** OpenAPI paths of batches and replay (merged into api/openapi.ts); behaviour in docs/batches.md. */
const err = { $ref: '#/components/responses/Error' };
const auth = [{ apiKey: [] }];
const batchId = { name: 'batch_id', in: 'path', required: true, schema: { type: 'string' } };
const callId = { name: 'call_id', in: 'path', required: true, schema: { type: 'string' } };
const boolQuery = (name: string, description: string) => ({ name, in: 'query', schema: { type: 'boolean', default: true }, description });
const ok = (description: string) => ({ 200: { description } });
const replayBody = {
  required: false,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          statuses: {
            type: 'array',
            items: { enum: ['error', 'no-answer', 'busy', 'failed', 'voicemail', 'canceled'] },
            default: ['error', 'no-answer', 'busy', 'failed'],
          },
          overrides: { type: 'object', description: 'Send Call parameters that replace the original ones' },
          label: { type: 'string' },
          max_concurrency: { type: 'integer', minimum: 1, maximum: 1000 },
          batch_webhook: { type: 'string', format: 'uri' },
        },
      },
    },
  },
};

export const batchPaths = {
  '/v1/batches': {
    post: {
      summary: 'Send a batch of calls (one durable batch workflow)',
      security: auth,
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['base_prompt', 'call_data'],
              description: 'Also every Send Call parameter, applied to each call. Body limit: BATCH_BODY_LIMIT_BYTES (64 MiB).',
              properties: {
                base_prompt: { type: 'string', description: '{{placeholders}} are filled from each row' },
                call_data: { type: 'array', maxItems: 200_000, items: { type: 'object', required: ['phone_number'] } },
                label: { type: 'string' },
                campaign_id: { type: 'string' },
                from: { type: 'string' },
                test_mode: { type: 'boolean', default: false },
                batch_webhook: { type: 'string', format: 'uri' },
                max_concurrency: { type: 'integer', minimum: 1, maximum: 1000, description: 'Live calls at once; default BATCH_MAX_CONCURRENCY' },
                skip_invalid_rows: { type: 'boolean', default: false, description: 'Dial the valid rows and list the skipped ones, instead of refusing the batch' },
              },
            },
          },
        },
      },
      responses: { ...ok('`{message: "success", batch_id, skipped_rows?, test_mode?}`'), 400: err, 413: err },
    },
    get: {
      summary: 'List batches',
      security: auth,
      parameters: [
        { name: 'campaign_id', in: 'query', schema: { type: 'string' } },
        { name: 'from', in: 'query', schema: { type: 'integer', minimum: 0 } },
        { name: 'to', in: 'query', schema: { type: 'integer', minimum: 0 } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 0, maximum: MAX_BATCH_LIST_LIMIT, default: MAX_BATCH_LIST_LIMIT } },
        { name: 'ascending', in: 'query', schema: { type: 'boolean', default: false } },
      ],
      responses: { ...ok('`{status, batches: [{batch_id, label, base_prompt, call_params, created_at, endpoint_code, …}]}`'), 400: err },
    },
  },
  '/v1/batches/{batch_id}': {
    get: {
      summary: 'Batch details: status, batch_params, call_data and analysis',
      security: auth,
      parameters: [
        batchId,
        boolQuery('include_calls', 'Include call_data'),
        boolQuery('include_transcripts', 'Include each call’s transcript'),
        boolQuery('include_analysis', 'Include each call’s analysis and summary'),
      ],
      responses: { ...ok('`{status: in-progress|completed, batch_params, call_data, analysis}`'), 400: err, 404: err },
    },
  },
  '/v1/batches/{batch_id}/stop': {
    post: { summary: 'Stop a batch: undialled rows are cancelled, live calls stopped', security: auth, parameters: [batchId], responses: { ...ok('`{status, message, num_calls, batch_id}`'), 404: err, 409: err } },
  },
  '/v1/batches/{batch_id}/progress': {
    get: { summary: 'Live window of the batch workflow (queued, live, done by status, calls per second)', security: auth, parameters: [batchId], responses: { ...ok('progress'), 404: err } },
  },
  '/v1/batches/{batch_id}/analyze': {
    post: {
      summary: 'Answer questions about every finished call of the batch',
      security: auth,
      parameters: [batchId],
      requestBody: analyzeRequestBody,
      responses: { ...ok('`{status, message, answers: {call_id: [...]}}`'), 400: err, 404: err, 409: err },
    },
  },
  '/v1/batches/{batch_id}/analysis': {
    get: { summary: 'Stored analyses of the batch', security: auth, parameters: [batchId], responses: { ...ok('`{status, message, analysis: [{call_id, batch_id, goal, answers, questions}]}`'), 404: err } },
  },
  '/v1/batches/{batch_id}/replay': {
    post: { summary: 'Dial the rows whose calls ended in the given outcomes again, as a new batch (replay_of)', security: auth, parameters: [batchId], requestBody: replayBody, responses: { ...ok('`{message, batch_id, replay_of, num_calls, statuses}`'), 400: err, 404: err, 409: err } },
  },
  '/v1/calls/{call_id}/replay': {
    post: { summary: 'Dial one finished call again (a one-row batch for a batch call)', security: auth, parameters: [callId], requestBody: replayBody, responses: { ...ok('`{status, message, call_id | batch_id, replay_of}`'), 400: err, 404: err, 409: err } },
  },
};
