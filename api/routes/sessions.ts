import { Router } from 'express';
import { bridgeSessionDetail, type SessionSummary } from '../../src/presenters/session';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { createSession, createSessionV1, getSession, getSessionV1, listSessions, listSessionsV1 } from '../endpoints/sessions';
import { notFound } from '../errors';
import { liveCallState } from '../services/live-call';
import { listLiveSessions } from '../services/live-sessions';
import { createBridgeSession, liveSessionState } from '../services/sessions';

const DEFAULT_PAGE_SIZE = 50;

/**
 * The Sessions API (seed 001) at `/sessions` and `/v1/sessions`: the live view of every call
 * session, and bridged sessions through a trunk. The app authenticates and rate-limits /sessions
 * (outside /v1) as it does /v1.
 */
export function sessionsRouter(deps: ApiDeps): Router {
  const router = Router();

  for (const spec of [listSessions, listSessionsV1]) {
    mountEndpoint(router, spec, async ({ query }, req, res) => {
      const page = await listLiveSessions(deps, req.orgId, query.page_size ?? DEFAULT_PAGE_SIZE, query.page_token ?? null);
      res.json({ status: 'success', sessions: page.sessions, next_page_token: page.nextPageToken });
    });
  }

  for (const spec of [createSession, createSessionV1]) {
    mountEndpoint(router, spec, async ({ body, headers }, req, res) => {
      const session = await createBridgeSession(deps, req.orgId, body, headers['idempotency-key'] ?? null);
      res.json({ status: 'success', session_id: session.id, session });
    });
  }

  for (const spec of [getSession, getSessionV1]) {
    mountEndpoint(router, spec, async ({ params }, req, res) => {
      const doc = await deps.db.collections.bridgeSessions.findOne({ _id: params.id });
      if (doc && doc.org_id === req.orgId) {
        const live = doc.state === 'ended' ? null : await liveSessionState(deps, doc.workflow_id);
        return void res.json({ status: 'success', session: bridgeSessionDetail(doc, live) });
      }
      // An AI call or chat by its call_id: the same summary GET /sessions lists, `ended` once over.
      const call = await deps.db.collections.calls.findOne({ _id: params.id });
      if (!call || call.org_id !== req.orgId) throw notFound('Session not found.');
      const live = await liveCallState(deps, call);
      const channel = live ? await channelOf(deps, call.workflow_id) : null;
      const summary: SessionSummary = {
        id: call._id,
        kind: channel ?? (call.to ? 'phone' : 'chat'),
        direction: call.to ? (call.inbound ? 'inbound' : 'outbound') : null,
        caller: call.from || null,
        callee: call.to || null,
        state: live && !call.completed ? (live.queueStatus === 'started' ? 'answered' : 'ringing') : 'ended',
        started_at: call.created_at.toISOString(),
        answered_at: call.started_at ? new Date(call.started_at).toISOString() : null,
        trunk: null,
        user_data: null,
        workflow_id: call.workflow_id,
        call_id: call._id,
      };
      res.json({ status: 'success', session: summary });
    });
  }

  return router;
}

/** The call workflow's Channel (phone, chat, web, …) as its search attribute says. */
async function channelOf(deps: ApiDeps, workflowId: string): Promise<string | null> {
  try {
    const described = await deps.temporal.workflow.getHandle(workflowId).describe();
    const value = described.typedSearchAttributes.getAll().find((p) => p.key.name === 'Channel')?.value;
    return typeof value === 'string' ? value : null;
  } catch (err) {
    deps.logger.warn({ err, workflowId }, 'channel of a call unavailable');
    return null;
  }
}
