import { Router, type RequestHandler } from 'express';
import { INBOUND_AGENT_FIELDS } from '../../src/numbers/types';
import { inboundAgentSettings, inboundNumber, outboundNumber } from '../../src/presenters/inbound-number';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import {
  deleteInbound,
  deleteInboundPost,
  getInbound,
  insertInbound,
  listInbound,
  listOutbound,
  purchaseInbound,
  purchaseNumber,
  purchaseNumberV1,
  updateInbound,
} from '../endpoints/numbers';
import { deleteInboundNumber, findOwnNumber, insertOwnNumbers, purchaseNumber as buy, resolveOwnAccount, updateInboundAgent } from '../services/numbers';

const KNOWN_AGENT_FIELDS = new Set<string>(INBOUND_AGENT_FIELDS);
/** Words after /v1/inbound/ that other routers serve (POST /v1/inbound/session): never a number. */
const NOT_A_NUMBER = /^[A-Za-z_]+$/;

/**
 * Phone numbers (seed 003, Inbound Numbers, Outbound Numbers, Custom Twilio Accounts): buying,
 * uploading from an own Twilio account, each number's inbound agent, and the caller IDs.
 * `keyed` authenticates and rate-limits /numbers/purchase, the one route outside /v1.
 */
export function numbersRouter(deps: ApiDeps, keyed: RequestHandler[]): Router {
  const router = Router();
  const numbers = deps.db.collections.inboundNumbers;

  router.post('/numbers/purchase', ...keyed);
  // A purchase may come with no body at all: every field has a default.
  router.post(['/numbers/purchase', '/v1/numbers/purchase', '/v1/inbound/purchase'], (req, _res, next) => {
    req.body ??= {};
    next();
  });
  for (const spec of [purchaseNumber, purchaseNumberV1, purchaseInbound]) {
    mountEndpoint(router, spec, async ({ body }, req, res) => {
      const doc = await buy(deps, req.orgId, {
        phoneNumber: body.phone_number ?? null,
        areaCode: body.area_code ?? null,
        countryCode: body.country_code ?? null,
        body: body as Record<string, unknown>,
      });
      res.json({ status: 'success', message: `Successfully purchased ${doc.phone_number}.`, phone_number: doc.phone_number, inbound_number: inboundNumber(doc) });
    });
  }

  mountEndpoint(router, insertInbound, async ({ headers, body }, req, res) => {
    const inserted = await insertOwnNumbers(deps, req.orgId, headers.encrypted_key, body.numbers);
    res.json({ status: 'success', message: inserted.length > 0 ? 'Successfully inserted numbers' : 'No numbers were inserted', inserted });
  });

  mountEndpoint(router, listInbound, async ({ headers }, req, res) => {
    const accountId = headers.encrypted_key ? (await resolveOwnAccount(deps, req.orgId, headers.encrypted_key)).accountId : undefined;
    const filter = { org_id: req.orgId, ...(accountId ? { carrier_account_id: accountId } : {}) };
    const docs = await numbers.find(filter).sort({ created_at: -1 }).limit(10_000).toArray();
    res.json({ inbound_numbers: docs.map(inboundNumber) });
  });

  mountEndpoint(router, listOutbound, async (_input, req, res) => {
    const docs = await numbers
      .find({ org_id: req.orgId }, { projection: { created_at: 1, phone_number: 1, last_initiated: 1 } })
      .sort({ created_at: -1 })
      .limit(10_000)
      .toArray();
    res.json({ outbound_numbers: docs.map(outboundNumber) });
  });

  router.post('/v1/inbound/:phone_number', (req, _res, next) => (NOT_A_NUMBER.test(String(req.params.phone_number)) ? next('router') : next()));

  mountEndpoint(router, getInbound, async ({ params, headers }, req, res) => {
    res.json(inboundNumber(await findOwnNumber(deps, req.orgId, params.phone_number, headers.encrypted_key)));
  });

  mountEndpoint(router, updateInbound, async ({ params, headers, body }, req, res) => {
    const raw = body as Record<string, unknown>;
    const doc = await updateInboundAgent(deps, req.orgId, params.phone_number, headers.encrypted_key, raw);
    const failed = Object.fromEntries(
      Object.keys(raw)
        .filter((k) => !KNOWN_AGENT_FIELDS.has(k))
        .slice(0, 100)
        .map((k) => [k.slice(0, 100), 'Not a setting of inbound numbers; not stored.']),
    );
    res.json({ status: 'success', message: `Successfully updated number ${doc.phone_number}.`, updates: inboundAgentSettings(doc.agent), failed_updates: failed });
  });

  for (const spec of [deleteInbound, deleteInboundPost]) {
    mountEndpoint(router, spec, async ({ params, headers }, req, res) => {
      await deleteInboundNumber(deps, req.orgId, params.phone_number, headers.encrypted_key);
      res.json({ status: 'success', message: `Successfully deleted number from database: ${params.phone_number}` });
    });
  }

  return router;
}
