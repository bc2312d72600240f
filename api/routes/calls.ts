import { Router } from 'express';
import { createCallCounter, listCalls as readCallList } from '../../src/calls/call-list';
import { createPageAnchors } from '../../src/db/newest-page';
import { callDetail, callSummary } from '../../src/presenters/call';
import { callTranscripts } from '../../src/db/final-transcript';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { getCall, listCalls, sendCall } from '../endpoints/calls';
import { notFound } from '../errors';
import { listCallsFilter } from '../schemas/list-calls';
import { sendCallParams } from '../schemas/send-call';
import { createCall } from '../services/create-call';
import { liveCallState, liveTranscriptDocs } from '../services/live-call';

export function callsRouter(deps: ApiDeps): Router {
  const router = Router();
  const { calls } = deps.db.collections;
  // Per API process: the organisations' call counts, and where their newest pages began.
  const reads = { counter: createCallCounter(calls), anchors: createPageAnchors() };

  mountEndpoint(router, sendCall, async ({ headers, body }, req, res) => {
    const params = sendCallParams(req.body as Record<string, unknown>, body);
    const { callId, replayed } = await createCall(deps, req.orgId, params, {
      idempotencyKey: headers['idempotency-key'] ?? null,
      encryptedKey: headers.encrypted_key ?? null,
    });
    res.status(200).json({
      status: 'success',
      message: replayed ? 'Call already queued (idempotent replay).' : 'Call successfully queued.',
      call_id: callId,
      batch_id: null,
      ...(params.warnings.length > 0 ? { warnings: params.warnings } : {}),
    });
  });

  mountEndpoint(router, listCalls, async ({ query }, req, res) => {
    const { filter, skip, limit, ascending } = listCallsFilter(req.orgId, query);
    const { total, docs } = await readCallList(calls, reads, { orgId: req.orgId, filter, skip, limit, ascending }, Date.now());
    res.json({ status: 'success', total_count: total, count: docs.length, calls: docs.map(callSummary) });
  });

  mountEndpoint(router, getCall, async ({ params }, req, res) => {
    const id = params.call_id;
    const call = await calls.findOne({ _id: id, org_id: req.orgId });
    if (!call) throw notFound('Call not found.');
    // A live call: its workflow's own state (the transcript up to this turn, where the call stands).
    const live = await liveCallState(deps, call);
    if (live) {
      res.json(callDetail({
        ...call, queue_status: live.queueStatus, answered_by: live.answeredBy ?? call.answered_by, variables: live.variables,
        pathway_logs: live.pathwayLogs ?? call.pathway_logs,
      }, liveTranscriptDocs(call, live)));
      return;
    }
    const lines = (await callTranscripts(deps.db, req.orgId, [call.call_id])).get(call.call_id) ?? [];
    res.json(callDetail(call, lines));
  });

  return router;
}
