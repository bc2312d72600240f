import { Router, type Request, type Response } from 'express';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { createAccount, disableAccount, disableAccountByPost } from '../endpoints/accounts';
import { ApiError, badRequest } from '../errors';

/**
 * Bring your own Twilio (seed: Custom Twilio Accounts). POST /v1/accounts stores the account's
 * credentials sealed and answers the `encrypted_key` that calls then send as a header; the delete
 * endpoints disable it. Disabling stops new calls on the key; calls already placed with it finish
 * (their webhooks still verify against its token).
 */
export function accountsRouter(deps: ApiDeps): Router {
  const router = Router();

  mountEndpoint(router, createAccount, async ({ body }, req, res) => {
    if (!deps.carrierAccounts) throw new ApiError(501, 'Custom Twilio accounts are not available on this server.');
    const encryptedKey = await deps.carrierAccounts.create(req.orgId, { accountSid: body.account_sid, authToken: body.auth_token });
    res.set('cache-control', 'no-store');
    res.json({ status: 'success', encrypted_key: encryptedKey });
  });

  const remove = async ({ headers }: { headers: { encrypted_key?: string } }, req: Request, res: Response) => {
    const key = headers.encrypted_key;
    if (!key) throw badRequest(['Missing encrypted key'], 'Missing encrypted key');
    const result = deps.carrierAccounts ? await deps.carrierAccounts.disable(req.orgId, key) : 'unknown';
    // Unknown, already disabled and another organisation's key all look the same from here.
    if (result === 'unknown') throw new ApiError(404, 'Error deleting Twilio credentials');
    res.json({ status: 'success' });
  };
  mountEndpoint(router, disableAccount, remove);
  mountEndpoint(router, disableAccountByPost, remove);
  return router;
}
