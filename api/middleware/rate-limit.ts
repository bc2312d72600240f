import type { NextFunction, Request, Response } from 'express';
import type { AuthRefusal } from '../../src/rate-limit/auth-failures';
import type { OrgLimiter, OrgRefusal } from '../../src/rate-limit/org-limits';
import { ApiError } from '../errors';

/**
 * The POSTs that start workflows or make outbound requests: the organisation's work limit
 * (RATE_LIMIT_CALLS_PER_MINUTE) counts these, on top of the limit on all its requests.
 */
export const WORK_ROUTES = [
  '/v1/calls',
  '/v1/calls/:id/replay',
  '/v1/calls/:id/analyze',
  '/v1/batches',
  '/v1/batches/:id/replay',
  '/v1/batches/:id/analyze',
  '/v1/pathway/chat/create',
  '/v1/pathway/chat/:id',
  '/v1/dynamic_data/test',
  '/v1/voices/:id/sample',
  // A bridged session dials (seed 001).
  '/sessions',
  '/v1/sessions',
  // Creating or updating a knowledge base starts its indexing workflow (and /vectors/upload is a create).
  '/vectors',
  '/vectors/:id',
  '/v1/vectors',
  '/v1/vectors/:id',
];

/** A 429 in Bland's shape; `Retry-After` (seconds) is set on the response the error handler writes. */
function tooManyRequests(res: Response, retryAfterSeconds: number, detail: string): ApiError {
  res.set('Retry-After', String(retryAfterSeconds));
  return new ApiError(429, 'Too many requests.', [`${detail} Retry after ${retryAfterSeconds} seconds.`]);
}

export function authRefused(res: Response, refusal: AuthRefusal): ApiError {
  const from = refusal.reason === 'address' ? 'from this address' : 'with this key';
  return tooManyRequests(res, refusal.retryAfterSeconds, `Too many failed authentication attempts ${from} (limit ${refusal.limit} per minute).`);
}

function orgRefused(res: Response, refusal: OrgRefusal): ApiError {
  const what = refusal.limit === 'work' ? 'calls and other work-creating requests' : 'requests';
  return tooManyRequests(res, refusal.retryAfterSeconds, `Rate limit exceeded: at most ${refusal.perMinute} ${what} per minute for this organisation.`);
}

/**
 * Per-organisation limits, after authentication and before the body is parsed. `markWork` runs on
 * WORK_ROUTES (matched by Express exactly as the routes are) so that `limitOrg` counts a request
 * against both limits in one store round trip.
 */
export function orgRateLimit(limiter: OrgLimiter) {
  return {
    markWork: (_req: Request, res: Response, next: NextFunction) => {
      res.locals.workRequest = true;
      next();
    },
    limitOrg: async (req: Request, res: Response, next: NextFunction) => {
      // Admin requests carry the admin key, not an organisation's.
      if (!req.orgId) return next();
      const refusal = await limiter.hit(req.orgId, res.locals.workRequest === true);
      if (refusal) throw orgRefused(res, refusal);
      next();
    },
  };
}
