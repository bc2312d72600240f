import type { NextFunction, Request, Response } from 'express';
import { authenticateApiKey, secretsEqual } from '../../src/auth/api-keys';
import type { Database } from '../../src/db/database';
import { ApiError, unauthorized } from '../errors';

/** Bland sends the raw key in `authorization`; `Bearer <key>` is accepted too. */
export function readApiKey(req: Request): string | null {
  const header = req.get('authorization');
  if (!header) return null;
  const key = header.replace(/^Bearer\s+/i, '').trim();
  return key.length > 0 ? key : null;
}

export function requireApiKey(db: Database) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const key = readApiKey(req);
    if (!key) throw unauthorized('Missing authorization header.');
    const orgId = await authenticateApiKey(db, key);
    if (!orgId) throw unauthorized();
    req.orgId = orgId;
    next();
  };
}

export function requireAdminKey(adminKey: string | undefined) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!adminKey) throw new ApiError(404, 'The admin API is disabled: set ADMIN_API_KEY.');
    const key = readApiKey(req);
    if (!key || !secretsEqual(key, adminKey)) throw unauthorized('Invalid admin key.');
    next();
  };
}
