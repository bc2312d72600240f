import { Router } from 'express';
import type { ApiDeps } from '../deps';
import { badRequest } from '../errors';

/**
 * POST /v1/webhooks/signing_secret: the seed's "Replace Secret" button as an endpoint. It creates
 * or replaces the organisation's webhook signing secret and shows it this once; only its sealed
 * form is stored. Webhooks sent from then on are signed with it.
 */
export function webhookSecretRouter(deps: ApiDeps): Router {
  const router = Router();
  router.post('/v1/webhooks/signing_secret', async (req, res) => {
    // Nothing to configure, so a body with fields is a mistake worth reporting.
    if (req.body !== undefined && (typeof req.body !== 'object' || req.body === null || Object.keys(req.body as object).length > 0)) {
      throw badRequest(['This endpoint takes no parameters.']);
    }
    const secret = await deps.webhookSecrets.rotate(req.orgId);
    res.set('cache-control', 'no-store');
    res.json({
      status: 'success',
      message: 'Webhook signing secret replaced. It is shown only once: store it now.',
      signing_secret: secret,
    });
  });
  return router;
}
