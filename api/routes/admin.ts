import { Router } from 'express';
import { createOrg as createOrgDoc, issueApiKey } from '../../src/auth/api-keys';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { createOrg, issueKey } from '../endpoints/admin';
import { notFound } from '../errors';

/** Operator routes, behind the admin key from config (checked in app.ts): organisations and their API keys. */
export function adminRouter(deps: ApiDeps): Router {
  const router = Router();

  mountEndpoint(router, createOrg, async ({ body }, _req, res) => {
    const orgId = await createOrgDoc(deps.db, body.name);
    const apiKey = await issueApiKey(deps.db, orgId, 'initial');
    res.status(201).json({ status: 'success', org_id: orgId, api_key: apiKey });
  });

  mountEndpoint(router, issueKey, async ({ params, body }, _req, res) => {
    const orgId = params.org_id;
    const org = await deps.db.collections.orgs.findOne({ _id: orgId });
    if (!org) throw notFound('Organisation not found.');
    const apiKey = await issueApiKey(deps.db, orgId, body?.label ?? null);
    res.status(201).json({ status: 'success', org_id: orgId, api_key: apiKey });
  });

  return router;
}
