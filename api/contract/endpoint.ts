import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call an operation: an organisation's API key, the admin key, a carrier's signature, anyone. */
export type Access = 'apiKey' | 'adminKey' | 'carrierSignature' | 'public';

export interface ResponseSpec {
  description: string;
  /** The JSON body; absent for bodies that are not JSON (TwiML, audio, HTML) or empty. */
  schema?: z.ZodType;
  /** A non-JSON body's media type. */
  contentType?: string;
  headers?: Record<string, { description: string; schema: Record<string, unknown> }>;
}

/**
 * One operation of the API, described once: its path (OpenAPI form, `/v1/calls/{call_id}`), the zod
 * schemas of its path, query, headers and body, which validate every request (`mountEndpoint`), and
 * its answers. `/openapi.json` is generated from the same objects (`api/contract/openapi.ts`).
 */
export interface Endpoint<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  H extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  access: Access;
  params?: P;
  query?: Q;
  headers?: H;
  body?: B;
  /** A body that is not JSON (the carrier's form posts), documented by media type. */
  bodyContentType?: string;
  /** Successful answers by status. */
  responses: Record<number, ResponseSpec>;
  /** Statuses answered in Bland's error shape, beyond 400 for a request that fails its schemas (added when there are any) and 401/429 on keyed operations. */
  errors?: number[];
}

/** Declares an endpoint; an identity that keeps the schemas' types for the handler. */
export function endpoint<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, H extends z.ZodType>(
  spec: Endpoint<P, Q, B, H>,
): Endpoint<P, Q, B, H> {
  return spec;
}
