import { Router } from 'express';
import type { ApiDeps } from '../deps';
import { badRequest, notFound } from '../errors';
import { callDetail, callSummary } from '../presenters/call';
import { parseListCallsQuery } from '../schemas/list-calls';
import { validateSendCall } from '../schemas/send-call';
import { createCall } from '../services/create-call';
import { liveCallState, liveTranscriptDocs } from '../services/live-call';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export function callsRouter(deps: ApiDeps): Router {
  const router = Router();
  const { calls, transcripts } = deps.db.collections;

  router.post('/v1/calls', async (req, res) => {
    const validation = validateSendCall(req.body);
    if (!validation.ok) throw badRequest(validation.errors);
    const idempotencyKey = req.get('idempotency-key') ?? null;
    if (idempotencyKey !== null && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw badRequest(['Idempotency-Key must be 1-200 printable ASCII characters.']);
    }
    const { callId, replayed } = await createCall(deps, req.orgId, validation.value, {
      idempotencyKey,
      encryptedKey: req.get('encrypted_key') ?? null,
    });
    res.status(200).json({
      status: 'success',
      message: replayed ? 'Call already queued (idempotent replay).' : 'Call successfully queued.',
      call_id: callId,
      batch_id: null,
      ...(validation.value.warnings.length > 0 ? { warnings: validation.value.warnings } : {}),
    });
  });

  router.get('/v1/calls', async (req, res) => {
    const parsed = parseListCallsQuery(req.orgId, req.query as Record<string, unknown>);
    if (!parsed.ok) throw badRequest(parsed.errors);
    const { filter, skip, limit, ascending } = parsed.value;
    const [total, docs] = await Promise.all([
      calls.countDocuments(filter),
      limit === 0 ? [] : calls.find(filter).sort({ created_at: ascending ? 1 : -1 }).skip(skip).limit(limit).toArray(),
    ]);
    res.json({ status: 'success', total_count: total, count: docs.length, calls: docs.map(callSummary) });
  });

  router.get('/v1/calls/:id', async (req, res) => {
    const id = String(req.params.id);
    const call = await calls.findOne({ _id: id, org_id: req.orgId });
    if (!call) throw notFound('Call not found.');
    // A live call: its workflow's own state (the transcript up to this turn, where the call stands).
    const live = await liveCallState(deps, call);
    if (live) {
      res.json(callDetail({ ...call, queue_status: live.queueStatus, answered_by: live.answeredBy ?? call.answered_by, variables: live.variables }, liveTranscriptDocs(call, live)));
      return;
    }
    const lines = await transcripts.find({ org_id: req.orgId, call_id: id }).sort({ seq: 1 }).toArray();
    res.json(callDetail(call, lines));
  });

  return router;
}
