import { z } from 'zod';
import type { DynamicDataRun } from '../dynamic-data/types';

/** One dynamic_data request's outcome, as POST /v1/dynamic_data/test answers it. */
export const DynamicDataRunSchema = z.object({
  index: z.number().int(),
  url: z.string(),
  method: z.string(),
  ok: z.boolean(),
  status: z.number().int().nullable().describe('null when no answer came (refused, timed out, not run)'),
  cached: z.boolean(),
  duration_ms: z.number(),
  response: z.unknown().describe('The parsed body (JSON, else text)'),
  variables: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
});

export const dynamicDataRun = (r: DynamicDataRun): z.infer<typeof DynamicDataRunSchema> => ({
  index: r.index,
  url: r.url,
  method: r.method,
  ok: r.ok,
  status: r.status,
  cached: r.cached,
  duration_ms: r.durationMs,
  response: r.response,
  variables: r.variables,
  error: r.error,
});
