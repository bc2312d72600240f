import { analyzeRequestBody } from './openapi-analysis';

/** OpenAPI paths of batch analysis (merged into api/openapi.ts); behaviour in docs/batches.md. */
const err = { $ref: '#/components/responses/Error' };
const auth = [{ apiKey: [] }];
const batchId = { name: 'batch_id', in: 'path', required: true, schema: { type: 'string' } };
const ok = (description: string) => ({ 200: { description } });

export const batchPaths = {
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
};
