import { Router } from 'express';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { rotateWebhookSecret } from '../endpoints/accounts';

/**
 * POST /v1/webhooks/signing_secret: the seed's "Replace Secret" button as an endpoint. It creates
 * or replaces the organisation's webhook signing secret and shows it this once; only its sealed
 * form is stored. Webhooks sent from then on are signed with it. Nothing to configure, so a body
 * with fields is a mistake worth reporting (the schema refuses it).
 */
export function webhookSecretRouter(deps: ApiDeps): Router {
  const router = Router();
  mountEndpoint(router, rotateWebhookSecret, async (_input, req, res) => {
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
