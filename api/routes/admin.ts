import { Router } from 'express';
import { createOrg, issueApiKey } from '../../src/auth/api-keys';
import type { ApiDeps } from '../deps';
import { badRequest, notFound } from '../errors';
import { isPlainObject, runChecks, str } from '../schemas/field-checks';

/** Operator routes, behind the admin key from config (checked in app.ts): organisations and their API keys. */
export function adminRouter(deps: ApiDeps): Router {
  const router = Router();

  router.post('/v1/admin/orgs', async (req, res) => {
    const body: unknown = req.body;
    if (!isPlainObject(body)) throw badRequest(['Request body must be a JSON object.']);
    const errors = body.name === undefined ? ['Missing required parameter: name.'] : runChecks(body, { name: ['name', str(200)] });
    if (errors.length > 0) throw badRequest(errors);
    const orgId = await createOrg(deps.db, String(body.name));
    const apiKey = await issueApiKey(deps.db, orgId, 'initial');
    res.status(201).json({ status: 'success', org_id: orgId, api_key: apiKey });
  });

  router.post('/v1/admin/orgs/:orgId/keys', async (req, res) => {
    const body: unknown = req.body ?? {};
    if (!isPlainObject(body)) throw badRequest(['Request body must be a JSON object.']);
    const errors = runChecks(body, { label: ['label', str(200)] });
    if (errors.length > 0) throw badRequest(errors);
    const orgId = String(req.params.orgId);
    const org = await deps.db.collections.orgs.findOne({ _id: orgId });
    if (!org) throw notFound('Organisation not found.');
    const apiKey = await issueApiKey(deps.db, orgId, typeof body.label === 'string' ? body.label : null);
    res.status(201).json({ status: 'success', org_id: orgId, api_key: apiKey });
  });

  return router;
}
