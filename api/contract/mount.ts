import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import { issueMessages } from '../../src/validation/issue-messages';
import { badRequest } from '../errors';
import type { Endpoint } from './endpoint';

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler receives: the request's parts, each parsed by its endpoint's schema. */
export interface Parsed<E> {
  params: E extends Endpoint<infer P, z.ZodType, z.ZodType, z.ZodType> ? Out<P> : never;
  query: E extends Endpoint<z.ZodType, infer Q, z.ZodType, z.ZodType> ? Out<Q> : never;
  body: E extends Endpoint<z.ZodType, z.ZodType, infer B, z.ZodType> ? Out<B> : never;
  headers: E extends Endpoint<z.ZodType, z.ZodType, z.ZodType, infer H> ? Out<H> : never;
}

/** `/v1/calls/{call_id}` → `/v1/calls/:call_id` */
export const expressPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

/** Lower-cased header names, one value each (the last of repeated headers, as Express's `req.get`). */
function headerValues(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value[value.length - 1]! : value;
  }
  return out;
}

/**
 * Parses every part of the request with its endpoint's schemas; a request that fails any of them
 * is a 400 listing every problem, before the handler runs.
 */
export function parseRequest<E extends Endpoint>(spec: E, req: Request): Parsed<E> {
  const errors: string[] = [];
  const part = (schema: z.ZodType | undefined, value: unknown, root: string): unknown => {
    if (!schema) return undefined;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    errors.push(...issueMessages(result.error, root));
    return undefined;
  };
  const params = part(spec.params, { ...req.params }, 'Path');
  const query = part(spec.query, { ...(req.query as Record<string, unknown>) }, 'Query');
  const headers = part(spec.headers, headerValues(req), 'Headers');
  const body = part(spec.body, req.body, 'Request body');
  if (errors.length > 0) throw badRequest(errors);
  return { params, query, headers, body } as Parsed<E>;
}

/** Registers the endpoint on the router: its schemas validate the request, then the handler runs. */
export function mountEndpoint<E extends Endpoint>(
  router: Router,
  spec: E,
  handler: (input: Parsed<E>, req: Request, res: Response) => Promise<void> | void,
): void {
  router[spec.method](expressPath(spec.path), async (req: Request, res: Response) => {
    await handler(parseRequest(spec, req), req, res);
  });
}
