import { z } from 'zod';
import { AS_IS, LABEL } from '../../src/validation/fields';
import type { Endpoint } from './endpoint';

/** A path segment naming a resource: printable, bounded; the store lookup decides whether it exists. */
export const pathId = (description: string) =>
  z
    .string()
    .min(1, { error: `${LABEL} must not be empty.` })
    .max(200, { error: `${LABEL} must be at most 200 characters.` })
    .describe(description);

/** `{status: "success", message?, …fields}`: the seed's success envelope. */
export const success = <T extends z.ZodRawShape>(fields: T) => z.object({ status: z.literal('success'), message: z.string().optional(), ...fields });

/** Fields the request carried that are not used, named in the answer (Bland's clients send extras). */
export const warnings = z.array(z.string()).optional().describe('Parts of the request that were accepted but not used, and why');

/** An operation served at its path and again under `/v1` (Bland's hosts without a version: /vectors, /sessions). */
export function alsoUnderV1<E extends Endpoint>(spec: E): [E, E] {
  return [spec, { ...spec, path: `/v1${spec.path}`, summary: `${spec.summary} (v1 path)` }];
}

/** The Idempotency-Key header of a request that creates work: `replays` says what a retry gets back. */
export const idempotencyKeyHeader = (replays: string) =>
  z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, { error: `${AS_IS}Idempotency-Key must be 1-200 printable ASCII characters.` })
    .optional()
    .describe(`A retried request with the same key ${replays}`);
