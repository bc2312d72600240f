import { z } from 'zod';
import { endpoint } from '../contract/endpoint';

const tags = ['Service'];

const HealthSchema = z.object({
  status: z.enum(['ok', 'error']),
  checks: z.object({ mongodb: z.string(), temporal: z.string() }).describe('"ok", or why the probe failed'),
  modes: z.record(z.string(), z.string()).describe('Which telephony and model back the deployment (e.g. simulator, offline)'),
});

export const health = endpoint({
  method: 'get',
  path: '/health',
  summary: 'Liveness of MongoDB and Temporal',
  tags,
  access: 'public',
  responses: {
    200: { description: 'Every check is ok', schema: HealthSchema },
    503: { description: 'A check failed', schema: HealthSchema },
  },
});

export const openApiJson = endpoint({
  method: 'get',
  path: '/openapi.json',
  summary: 'This description (OpenAPI 3.1)',
  tags,
  access: 'public',
  responses: { 200: { description: 'OpenAPI 3.1, generated from the schemas that validate each request', schema: z.looseObject({ openapi: z.string() }) } },
});

export const docs = endpoint({
  method: 'get',
  path: '/docs',
  summary: 'This description, browsable',
  tags,
  access: 'public',
  responses: { 200: { description: 'HTML', contentType: 'text/html' } },
});

export const META_ENDPOINTS = [health, openApiJson, docs];
