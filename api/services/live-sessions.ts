import type { temporal } from '@temporalio/proto';
import type { CallDoc, QueueStatus } from '../../src/db/types';
import { bridgeSessionSummary, type SessionSummary } from '../../src/presenters/session';
import type { SessionState } from '../../src/sessions/types';
import { callStateQuery, TERMINAL_TELEPHONY_STATUSES, type CallLiveState } from '../../src/workflow-api/call';
import { sessionStateQuery } from '../../src/workflow-api/session';
import type { ApiDeps } from '../deps';
import { badRequest, unavailable } from '../errors';

type RawExecution = temporal.api.workflow.v1.IWorkflowExecutionInfo;

const QUERY_TIMEOUT_MS = 2_000;
const OVER: readonly QueueStatus[] = ['complete', 'pre_queue_error', 'queue_error', 'call_error', 'complete_error'];
const ORG_ID = /^[A-Za-z0-9_-]{1,100}$/;
const LIST_TIMEOUT_MS = 5_000;
const GRPC_UNKNOWN = 2;
const GRPC_INVALID_ARGUMENT = 3;

const badPageToken = () => badRequest(['page_token is not a token this API returned to this organisation (or it has expired).']);

/** Visibility's own page token, wrapped with the organisation it was issued to. */
function writePageToken(temporalToken: Buffer, orgId: string): string {
  return Buffer.from(JSON.stringify({ o: orgId, t: temporalToken.toString('base64') })).toString('base64url');
}

function readPageToken(pageToken: string, orgId: string): Buffer {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(pageToken, 'base64url').toString('utf8'));
    const { o, t } = (parsed ?? {}) as { o?: unknown; t?: unknown };
    if (o === orgId && typeof t === 'string' && t.length > 0) return Buffer.from(t, 'base64');
  } catch {
    // Not JSON: refused below, as any token this API did not issue.
  }
  throw badPageToken();
}

/** A keyword search attribute's value (JSON in its payload), or null. */
function keyword(execution: RawExecution, name: string): string | null {
  const payload = execution.searchAttributes?.indexedFields?.[name];
  if (!payload?.data) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(payload.data).toString('utf8'));
    return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : null;
  } catch {
    return null;
  }
}

const startedAt = (e: RawExecution): string => {
  const t = e.startTime;
  return new Date(Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6)).toISOString();
};

/** An AI call's state in the sessions' words; null once it is over (or not yet on the line). */
function callState(channel: string, live: CallLiveState): SessionState | null {
  if (OVER.includes(live.queueStatus)) return null;
  if (live.providerStatus && TERMINAL_TELEPHONY_STATUSES.includes(live.providerStatus)) return null;
  if (channel !== 'phone') return 'answered';
  if (live.queueStatus === 'started' || live.providerStatus === 'in-progress') return 'answered';
  if (live.providerStatus === 'ringing' || live.providerStatus === 'initiated' || live.queueStatus === 'allocated') return 'ringing';
  return null;
}

async function query<T>(deps: ApiDeps, workflowId: string, run: (h: ReturnType<ApiDeps['temporal']['workflow']['getHandle']>) => Promise<T>): Promise<T | null> {
  try {
    return await deps.temporal.withAbortSignal(AbortSignal.timeout(QUERY_TIMEOUT_MS), () => run(deps.temporal.workflow.getHandle(workflowId)));
  } catch (err) {
    // A workflow that closed between the listing and the query, or cannot answer now, is not shown live.
    deps.logger.warn({ err, workflowId }, 'live session left out: its workflow did not answer');
    return null;
  }
}

/**
 * GET /sessions: the organisation's running workflows that carry a Channel (every AI call, chat
 * and web call, and bridged sessions), from Temporal's visibility, each asked for its live state.
 * Whatever has ended by the time it answers (even a second ago) is left out. Pages follow
 * visibility's pages, so a page may hold fewer than page_size sessions.
 */
export async function listLiveSessions(deps: ApiDeps, orgId: string, pageSize: number, pageToken: string | null): Promise<{ sessions: SessionSummary[]; nextPageToken: string | null }> {
  if (!ORG_ID.test(orgId)) throw new Error('unexpected organisation id');
  const token = pageToken ? readPageToken(pageToken, orgId) : undefined;
  let page: temporal.api.workflowservice.v1.IListWorkflowExecutionsResponse;
  try {
    page = await deps.temporal.withAbortSignal(AbortSignal.timeout(LIST_TIMEOUT_MS), () =>
      deps.temporal.workflowService.listWorkflowExecutions({
        namespace: deps.temporal.options.namespace,
        pageSize,
        nextPageToken: token,
        query: `OrgId = '${orgId}' AND ExecutionStatus = 'Running' AND Channel IS NOT NULL`,
      }),
    );
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    // A token that decodes but that the server cannot use: INVALID_ARGUMENT, or UNKNOWN from SQL visibility.
    if (token && (code === GRPC_INVALID_ARGUMENT || code === GRPC_UNKNOWN)) {
      deps.logger.warn({ err }, 'a page_token was refused by visibility');
      throw badPageToken();
    }
    deps.logger.error({ err }, 'live sessions could not be listed');
    throw unavailable('Live sessions cannot be listed right now.');
  }
  const executions = page.executions ?? [];
  const callIds = executions.filter((e) => e.type?.name !== 'sessionWorkflow').map((e) => keyword(e, 'CallId')).filter((id): id is string => id !== null);
  const calls = new Map<string, Pick<CallDoc, '_id' | 'from' | 'to' | 'inbound' | 'started_at' | 'metadata'>>();
  if (callIds.length) {
    const docs = await deps.db.collections.calls.find({ _id: { $in: callIds }, org_id: orgId }, { projection: { from: 1, to: 1, inbound: 1, started_at: 1, metadata: 1 } }).toArray();
    for (const d of docs) calls.set(d._id, d);
  }
  const listed = await Promise.all(
    executions.map(async (e): Promise<SessionSummary | null> => {
      const workflowId = e.execution?.workflowId ?? '';
      if (e.type?.name === 'sessionWorkflow') {
        const live = await query(deps, workflowId, (h) => h.query(sessionStateQuery));
        return live && live.state !== 'ended' ? bridgeSessionSummary(live, workflowId) : null;
      }
      const callId = keyword(e, 'CallId');
      const channel = keyword(e, 'Channel') ?? 'phone';
      const live = await query(deps, workflowId, (h) => h.query(callStateQuery));
      const state = live ? callState(channel, live) : null;
      if (!callId || !live || !state) return null;
      const doc = calls.get(callId);
      const inbound = keyword(e, 'Direction') === 'inbound' || doc?.inbound === true;
      return {
        id: callId,
        kind: channel,
        direction: channel === 'phone' ? (inbound ? 'inbound' : 'outbound') : null,
        caller: doc?.from || null,
        callee: doc?.to || null,
        state,
        started_at: startedAt(e),
        answered_at: doc?.started_at ? new Date(doc.started_at).toISOString() : null,
        trunk: null,
        user_data: null,
        workflow_id: workflowId,
        call_id: callId,
      };
    }),
  );
  const next = page.nextPageToken && page.nextPageToken.length > 0 ? writePageToken(Buffer.from(page.nextPageToken), orgId) : null;
  return { sessions: listed.filter((s): s is SessionSummary => s !== null), nextPageToken: next };
}
