import express, { Router } from 'express';
import { CSV_LIMITS, parseLookupCsv } from '../../src/inbound/csv';
import { findCsvRow, readLookup, removeLookup, replaceWithCsv, replaceWithUrl } from '../../src/inbound/lookup-store';
import { LOOKUP_URL_LIMITS, lookupByUrl } from '../../src/inbound/lookup-url';
import type { InboundLookupDoc } from '../../src/inbound/types';
import type { InboundNumberDoc } from '../../src/numbers/types';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { deleteLookup, getLookup, setLookup } from '../endpoints/inbound-lookup';
import { ApiError, badRequest, notFound } from '../errors';
import { jsonBody } from '../middleware/json-body';
import { outboundOf, urlCheck } from '../services/outbound';

/** Room for a CSV at its limit inside JSON (quotes and escapes), so the CSV's own limit is the one a client meets. */
const LOOKUP_BODY_LIMIT_BYTES = CSV_LIMITS.maxBytes * 2;
const LOOKUP_PATH = '/v1/inbound/:phone_number/lookup';

/**
 * The body parsers of POST /v1/inbound/{phone_number}/lookup, mounted before the API's own JSON
 * parser: a CSV as `text/csv` (or text/plain) or as JSON `{csv}`, up to twice the CSV limit, so
 * the answer to a CSV over its limit names the limit.
 */
export function inboundLookupBodyParsers() {
  return [express.text({ type: ['text/csv', 'text/plain', 'application/csv'], limit: LOOKUP_BODY_LIMIT_BYTES }), jsonBody(LOOKUP_BODY_LIMIT_BYTES)];
}

function present(head: InboundLookupDoc) {
  return {
    phone_number: head._id,
    source: head.source,
    key_column: head.key_column ?? null,
    columns: head.columns ?? null,
    rows: head.rows ?? null,
    bytes: head.bytes ?? null,
    url: head.url ?? null,
    headers: head.headers ? Object.fromEntries(Object.keys(head.headers).map((k) => [k, '[redacted]'])) : null,
    timeout: head.timeout_ms ?? null,
    updated_at: head.updated_at.toISOString(),
  };
}

/** Seed 002's data source of a number: a CSV uploaded here, or a URL. */
export function inboundLookupRouter(deps: ApiDeps): Router {
  const router = Router();
  const checkUrl = urlCheck(deps);

  async function ownNumber(orgId: string, phone: string): Promise<InboundNumberDoc> {
    const number = await deps.db.collections.inboundNumbers.findOne({ _id: phone });
    if (!number || number.org_id !== orgId) throw notFound('Inbound number not found.');
    return number;
  }

  router.post(LOOKUP_PATH, (req, _res, next) => {
    if (typeof req.body === 'string') req.body = { csv: req.body };
    next();
  });
  mountEndpoint(router, setLookup, async ({ params, body }, req, res) => {
    const number = await ownNumber(req.orgId, params.phone_number);
    const hasCsv = body.csv !== undefined && body.csv !== null;
    const hasUrl = body.url !== undefined && body.url !== null;
    if (hasCsv === hasUrl) throw badRequest([hasCsv ? 'Send either csv or url, not both.' : 'Missing required parameter: csv or url.']);
    if (hasCsv && (body.headers || body.timeout)) throw badRequest(['headers and timeout go with url, not csv.']);
    if (hasUrl) {
      const problem = checkUrl(body.url, 'url');
      if (problem) throw badRequest([problem]);
    }
    let parsed: ReturnType<typeof parseLookupCsv> | null = null;
    if (hasCsv) {
      parsed = parseLookupCsv(body.csv!);
      if (!parsed.ok) {
        if (parsed.tooLarge) throw new ApiError(413, parsed.errors[0]!, parsed.errors);
        throw badRequest(parsed.errors, 'Invalid CSV; nothing was stored.');
      }
    }
    const head =
      parsed?.ok
        ? await replaceWithCsv(deps, number, parsed.csv, Buffer.byteLength(body.csv!, 'utf8'))
        : await replaceWithUrl(deps, number, { url: body.url!, headers: body.headers ?? {}, timeoutMs: body.timeout ?? LOOKUP_URL_LIMITS.defaultTimeoutMs });
    const what = head.source === 'csv' ? `a CSV of ${head.rows} rows` : 'a lookup URL';
    res.json({ status: 'success', message: `${number._id} now looks callers up in ${what}.`, lookup: present(head) });
  });

  mountEndpoint(router, getLookup, async ({ params, query }, req, res) => {
    const number = await ownNumber(req.orgId, params.phone_number);
    const head = await readLookup(deps.db, number);
    if (!head || query.key === undefined || query.key === null) {
      res.json({ lookup: head ? present(head) : null });
      return;
    }
    let match: Record<string, string> | null;
    if (head.source === 'csv') match = await findCsvRow(deps.db, head, query.key);
    else {
      const found = await lookupByUrl(outboundOf(deps).http, { url: head.url!, headers: head.headers, timeout_ms: head.timeout_ms }, { key: query.key, from: query.key, to: number._id });
      // The number's own lookup service failed, not this API: 424 (Failed Dependency), with its reason.
      if (found.outcome === 'failed') throw new ApiError(424, 'The lookup URL could not be used.', [found.reason]);
      match = found.outcome === 'match' ? Object.fromEntries(found.values) : null;
    }
    res.json({ lookup: present(head), match });
  });

  mountEndpoint(router, deleteLookup, async ({ params }, req, res) => {
    const number = await ownNumber(req.orgId, params.phone_number);
    const removed = await removeLookup(deps, number);
    res.json({ status: 'success', message: removed ? `${number._id} has no lookup source now.` : `${number._id} had no lookup source.`, removed });
  });
  return router;
}
