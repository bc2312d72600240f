import { openApiFromEndpoints } from './contract/openapi';
import { ALL_ENDPOINTS } from './endpoints';
import { accountPaths } from './openapi-accounts';
import { analyzeRequestBody } from './openapi-analysis';
import { batchPaths } from './openapi-batches';
import { toolPaths } from './openapi-tools';

/** OpenAPI 3.1 description of what the API serves. Kept next to the routers and updated with them. */
const errorResponse = { $ref: '#/components/responses/Error' };
const auth = [{ apiKey: [] }];
const callIdParam = { name: 'call_id', in: 'path', required: true, schema: { type: 'string' } };

type Operation = { security?: unknown; responses?: Record<string, unknown> };

/**
 * Every operation behind an API key (or the admin key) answers 401 when the key is missing or
 * unknown, and 429 over a rate limit (docs/api.md). The path objects are shared, so copied.
 */
function withKeyedResponses<P extends Record<string, Record<string, object>>>(paths: P): P {
  const keyed = { 401: errorResponse, 429: { $ref: '#/components/responses/TooManyRequests' } };
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => [
      path,
      Object.fromEntries(
        Object.entries(item).map(([method, op]) => {
          const o = op as Operation;
          return [method, o.security && o.responses ? { ...o, responses: { ...o.responses, ...keyed } } : op];
        }),
      ),
    ]),
  ) as P;
}

function legacyDocument(serverUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchboard API',
      version: '0.1.0',
      description: "Bland AI v1-compatible API for AI phone calls. Every call is a durable Temporal workflow.",
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'authorization', description: 'The raw API key, or `Bearer <key>`.' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['status', 'message', 'errors'],
          properties: { status: { const: 'error' }, message: { type: 'string' }, errors: { type: 'array', items: { type: 'string' } } },
        },
      },
      responses: {
        Error: { description: "Bland's error shape", content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        TooManyRequests: {
          description: 'A rate limit is exceeded (failed API-key checks, or the organisation\'s requests or work-creating requests per minute)',
          headers: { 'Retry-After': { description: 'Seconds until the limit\'s window ends', schema: { type: 'integer', minimum: 1 } } },
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
    paths: withKeyedResponses({
      '/docs': { get: { summary: 'These docs, browsable', responses: { 200: { description: 'HTML' } } } },
      '/openapi.json': { get: { summary: 'This description', responses: { 200: { description: 'OpenAPI 3.1' } } } },
      '/health': { get: { summary: 'Liveness of MongoDB and Temporal', responses: { 200: { description: 'ok' }, 503: { description: 'degraded' } } } },
      '/v1/calls/{call_id}/stop': {
        post: { summary: 'Stop a call', security: auth, parameters: [callIdParam], responses: { 200: { description: 'stopping' }, 404: errorResponse, 409: errorResponse } },
      },
      '/v1/calls/active/stop': {
        post: { summary: 'Stop every active call of the organisation', security: auth, responses: { 200: { description: '`{status, message, num_calls}`' } } },
      },
      '/v1/calls/{call_id}/recording': {
        get: {
          summary: 'Recording URL as JSON, or the audio with accept: audio/mpeg or audio/wav',
          security: auth,
          parameters: [callIdParam],
          responses: { 200: { description: '`{status, url}` or audio' }, 404: errorResponse, 502: errorResponse },
        },
      },
      '/v1/calls/{call_id}/analyze': {
        post: {
          summary: 'Answer questions about a finished call (`{goal, questions: [[question, type]]}`)',
          security: auth,
          parameters: [callIdParam],
          requestBody: analyzeRequestBody,
          responses: { 200: { description: '`{status, message, answers}`' }, 400: errorResponse, 404: errorResponse, 409: errorResponse, 502: errorResponse, 504: errorResponse },
        },
      },
      '/v1/event_stream/{call_id}': {
        get: { summary: "The call's events, in order", security: auth, parameters: [callIdParam], responses: { 200: { description: 'array of events' }, 404: errorResponse } },
      },
      '/v1/webhooks/signing_secret': {
        post: { summary: "Create or rotate the organisation's webhook signing secret (shown once)", security: auth, responses: { 200: { description: '`{status, message, signing_secret}`' }, 400: errorResponse } },
      },
      '/v1/admin/orgs': {
        post: { summary: 'Create an organisation and its first API key (admin key)', security: auth, responses: { 201: { description: 'created' }, 400: errorResponse, 401: errorResponse } },
      },
      '/v1/admin/orgs/{org_id}/keys': {
        post: { summary: 'Issue another API key (admin key)', security: auth, responses: { 201: { description: 'created' }, 401: errorResponse, 404: errorResponse } },
      },
      '/v1/telephony/twilio/{hook}': {
        post: {
          summary: 'Carrier webhooks (voice, gather, continue, status, …), verified by X-Twilio-Signature',
          description: '`continue` is fetched by the carrier after a reply that started work (a tool, a webhook node): it answers with the follow-up TwiML (docs/tools.md).',
          parameters: [{ name: 'hook', in: 'path', required: true, schema: { enum: ['voice', 'gather', 'continue', 'status', 'amd', 'recording', 'dial-status'] } }],
          responses: { 200: { description: 'TwiML' }, 204: { description: 'accepted' }, 403: errorResponse },
        },
      },
      ...toolPaths,
      ...batchPaths,
      ...accountPaths,
    }),
  };
}

/**
 * OpenAPI 3.1 of what the API serves: generated from the endpoints' own schemas
 * (api/endpoints), plus the operations still described by hand below.
 */
export function openApiDocument(serverUrl: string) {
  const doc = openApiFromEndpoints(ALL_ENDPOINTS, serverUrl) as { info: { title: string; description: string }; paths: Record<string, Record<string, never>> };
  for (const [path, item] of Object.entries(legacyDocument(serverUrl).paths as Record<string, Record<string, unknown>>)) {
    for (const [method, op] of Object.entries(item)) {
      doc.paths[path] ??= {};
      if (doc.paths[path][method]) throw new Error(`${method.toUpperCase()} ${path} is described twice`);
      doc.paths[path][method] = op as never;
    }
  }
  return doc;
}
