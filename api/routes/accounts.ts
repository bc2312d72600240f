import { Router, type Request, type Response } from 'express';
import { ACCOUNT_SID } from '../../src/telephony/carrier-accounts';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest } from '../errors';

const FIELDS = new Set(['account_sid', 'auth_token']);

/**
 * Bring your own Twilio (seed: Custom Twilio Accounts). POST /v1/accounts stores the account's
 * credentials sealed and answers the `encrypted_key` that calls then send as a header; the delete
 * endpoints disable it. Disabling stops new calls on the key; calls already placed with it finish
 * (their webhooks still verify against its token).
 */
export function accountsRouter(deps: ApiDeps): Router {
  const router = Router();

  router.post('/v1/accounts', async (req, res) => {
    const body = req.body as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(['The body must be a JSON object.']);
    const b = body as Record<string, unknown>;
    const errors: string[] = [];
    if (b.account_sid === undefined) errors.push('Missing required parameter: account_sid.');
    else if (typeof b.account_sid !== 'string' || !ACCOUNT_SID.test(b.account_sid)) errors.push('account_sid must be a Twilio Account SID: AC followed by 32 hex digits.');
    if (b.auth_token === undefined) errors.push('Missing required parameter: auth_token.');
    else if (typeof b.auth_token !== 'string' || !/^[\x21-\x7e]{16,128}$/.test(b.auth_token)) errors.push('auth_token must be a string of 16 to 128 printable characters.');
    for (const k of Object.keys(b)) if (!FIELDS.has(k)) errors.push(`Unknown parameter: ${k}.`);
    if (errors.length > 0) throw badRequest(errors);
    if (!deps.carrierAccounts) throw new ApiError(501, 'Custom Twilio accounts are not available on this server.');
    const encryptedKey = await deps.carrierAccounts.create(req.orgId, { accountSid: b.account_sid as string, authToken: b.auth_token as string });
    res.set('cache-control', 'no-store');
    res.json({ status: 'success', encrypted_key: encryptedKey });
  });

  // The seed documents DELETE and shows a POST in its example: both are served.
  const remove = async (req: Request, res: Response) => {
    const key = req.get('encrypted_key');
    if (!key) throw badRequest(['Missing encrypted key'], 'Missing encrypted key');
    const result = deps.carrierAccounts ? await deps.carrierAccounts.disable(req.orgId, key) : 'unknown';
    // Unknown, already disabled and another organisation's key all look the same from here.
    if (result === 'unknown') throw new ApiError(404, 'Error deleting Twilio credentials');
    res.json({ status: 'success' });
  };
  router.delete('/v1/accounts/delete', remove);
  router.post('/v1/accounts/delete', remove);
  return router;
}
