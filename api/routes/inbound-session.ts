import { Router } from 'express';
import { createInboundSession as create } from '../../src/inbound/sessions';
import { SESSION_LIFETIME } from '../../src/inbound/sessions';
import { mask } from '../../src/phone';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { createInboundSession } from '../endpoints/inbound-session';
import { badRequest } from '../errors';
import { resolveCarrierVoice } from '../services/voices';

/** Seed 000: POST /v1/inbound/session. */
export function inboundSessionRouter(deps: ApiDeps): Router {
  const router = Router();
  mountEndpoint(router, createInboundSession, async ({ body }, req, res) => {
    const number = await deps.db.collections.inboundNumbers.findOne({ _id: body.phone_number }, { projection: { org_id: 1 } });
    // The seed's error for a number that is not the organisation's is a 400, like any bad field; whether it exists elsewhere is not told.
    if (!number || number.org_id !== req.orgId) throw badRequest([`phone_number: ${mask(body.phone_number)} is not an inbound number of this organisation.`]);
    await resolveCarrierVoice(deps, req.orgId, body.voice);
    const { token, expiresAt } = await create(deps.db, {
      orgId: req.orgId,
      phoneNumber: body.phone_number,
      requestData: body.request_data ?? {},
      voice: body.voice ?? null,
      lifetimeSeconds: body.expires_in ?? SESSION_LIFETIME.defaultSeconds,
    });
    res.set('cache-control', 'no-store');
    res.json({ token, expires_at: expiresAt.toISOString() });
  });
  return router;
}
