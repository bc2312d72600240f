import { z } from 'zod';
import type { Access, Endpoint } from './endpoint';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[] };

/** The JSON Schema (2020-12, OpenAPI 3.1's dialect) of what a client sends for this zod schema. */
export function jsonSchema(schema: z.ZodType): JsonSchema {
  const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete out.$schema;
  return out;
}

const ERROR_RESPONSE = { $ref: '#/components/responses/Error' };
const SECURITY: Record<Access, Array<Record<string, string[]>> | undefined> = {
  apiKey: [{ apiKey: [] }],
  adminKey: [{ adminKey: [] }],
  carrierSignature: [{ carrierSignature: [] }],
  public: undefined,
};

/** `in: path|query|header` parameters from an object schema's properties. */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query' | 'header'): object[] {
  if (!schema) return [];
  const json = jsonSchema(schema);
  return Object.entries(json.properties ?? {}).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

const operationId = (e: Endpoint): string =>
  e.method + e.path.replace(/\{(\w+)\}/g, 'By_$1').split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');

function operation(e: Endpoint): object {
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(e.responses)) {
    const content = r.schema
      ? { 'application/json': { schema: jsonSchema(r.schema) } }
      : r.contentType
        ? { [r.contentType]: {} }
        : undefined;
    responses[status] = { description: r.description, ...(r.headers ? { headers: r.headers } : {}), ...(content ? { content } : {}) };
  }
  const validated = e.params || e.query || e.headers || e.body;
  const errorStatuses = new Set([...(validated ? [400] : []), ...(e.errors ?? [])]);
  if (e.access === 'apiKey' || e.access === 'adminKey') errorStatuses.add(401);
  for (const status of errorStatuses) responses[status] = ERROR_RESPONSE;
  if (e.access === 'apiKey' || e.access === 'adminKey') responses[429] = { $ref: '#/components/responses/TooManyRequests' };
  const security = SECURITY[e.access];
  const params = [...parameters(e.params, 'path'), ...parameters(e.query, 'query'), ...parameters(e.headers, 'header')];
  return {
    operationId: operationId(e),
    summary: e.summary,
    ...(e.description ? { description: e.description } : {}),
    tags: e.tags,
    ...(security ? { security } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(e.body
      ? { requestBody: { required: !e.body.safeParse(undefined).success, content: { [e.bodyContentType ?? 'application/json']: { schema: jsonSchema(e.body) } } } }
      : {}),
    responses,
  };
}

/** OpenAPI 3.1 for the endpoints the API serves, generated from the schemas that validate them. */
export function openApiFromEndpoints(endpoints: readonly Endpoint[], serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, object>> = {};
  for (const e of endpoints) {
    paths[e.path] ??= {};
    if (paths[e.path]![e.method]) throw new Error(`${e.method.toUpperCase()} ${e.path} is described twice`);
    paths[e.path]![e.method] = operation(e);
  }
  const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchboard API',
      version: '0.1.0',
      description:
        'Bland AI v1-compatible API for AI phone calls. Every call is a durable Temporal workflow. ' +
        'Web agents\' browser sessions use a WebSocket, not described here: GET /v1/agents/{agent_id}/session?token=… ' +
        '(Upgrade: websocket; protocol in docs/web-agents.md, "Browser channel").',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'authorization', description: "The organisation's raw API key, or `Bearer <key>`." },
        adminKey: { type: 'apiKey', in: 'header', name: 'authorization', description: 'The ADMIN_API_KEY of the deployment, raw or as `Bearer <key>`.' },
        carrierSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Twilio-Signature',
          description: "The carrier's HMAC-SHA1 signature of the URL and form parameters, with the account's auth token.",
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['status', 'message', 'errors'],
          properties: { status: { const: 'error' }, message: { type: 'string' }, errors: { type: 'array', items: { type: 'string' } } },
        },
      },
      responses: {
        Error: { description: "Bland's error shape: `{status: \"error\", message, errors: [...]}`", content: errorContent },
        TooManyRequests: {
          description: "A rate limit is exceeded (failed API-key checks, or the organisation's requests or work-creating requests per minute)",
          headers: { 'Retry-After': { description: "Seconds until the limit's window ends", schema: { type: 'integer', minimum: 1 } } },
          content: errorContent,
        },
      },
    },
    paths,
  };
}
