import type { NextFunction, Request, Response } from 'express';
import { authenticateApiKey, secretsEqual } from '../../src/auth/api-keys';
import type { Database } from '../../src/db/database';
import type { AuthFailureGuard } from '../../src/rate-limit/auth-failures';
import { ApiError, unauthorized } from '../errors';
import { authRefused } from './rate-limit';

/** Bland sends the raw key in `authorization`; `Bearer <key>` is accepted too. */
export function readApiKey(req: Request): string | null {
  const header = req.get('authorization');
  if (!header) return null;
  const key = header.replace(/^Bearer\s+/i, '').trim();
  return key.length > 0 ? key : null;
}

/**
 * Checks the key; with a guard, failed checks are limited per client address and per key value.
 * An address or key already over its limit is refused (429) before the key is looked up, so a
 * right guess answers the same as a wrong one. A missing key is no guess and costs no store I/O.
 */
export function requireApiKey(db: Database, failures?: AuthFailureGuard) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = readApiKey(req);
    if (!key) throw unauthorized('Missing authorization header.');
    const refusal = failures?.refusalFor(req.ip, key);
    if (refusal) throw authRefused(res, refusal);
    const orgId = await authenticateApiKey(db, key);
    if (!orgId) {
      const over = await failures?.recordFailure(req.ip, key);
      throw over ? authRefused(res, over) : unauthorized();
    }
    req.orgId = orgId;
    next();
  };
}

export function requireAdminKey(adminKey: string | undefined, failures?: AuthFailureGuard) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!adminKey) throw new ApiError(404, 'The admin API is disabled: set ADMIN_API_KEY.');
    const key = readApiKey(req);
    if (!key) throw unauthorized('Invalid admin key.');
    const refusal = failures?.refusalFor(req.ip, key);
    if (refusal) throw authRefused(res, refusal);
    if (!secretsEqual(key, adminKey)) {
      const over = await failures?.recordFailure(req.ip, key);
      throw over ? authRefused(res, over) : unauthorized('Invalid admin key.');
    }
    next();
  };
}
