import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { effectiveAgent } from '../../src/agents/agent-fields';
import { redeemSessionToken, type TokenRefusal } from '../../src/agents/session-tokens';
import type { AgentDoc } from '../../src/agents/types';
import { callWorkflowInput } from '../../src/calls/call-input';
import { newCallDoc } from '../../src/calls/call-doc';
import type { CallDoc } from '../../src/db/types';
import { callWorkflowId, newCallId } from '../../src/ids';
import type { CallWorkflowInput } from '../../src/workflow-api/call';
import { callStartAttributes } from '../../src/workflow-api/search-attributes';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { resolveCallConfig } from '../services/call-config';
import { callVoice } from '../services/voices';
import { CLOSE } from './frames';

/** A web session: a call document on the `web` channel, run by webCallWorkflow. */
export type WebCallDoc = CallDoc & {
  channel: 'web';
  agent_id: string;
  /** SHA-256 of the current resume token's secret part (each resume spends it and issues another); the token is only ever shown to the browser. */
  web_resume_hash: string;
  /** The token spent by the last resume, still good until `web_resume_rotated_at` + the grace period (its new token may not have arrived). */
  web_resume_prev_hash?: string;
  web_resume_rotated_at?: Date;
  /** The number of the newest socket (connection) of this call. */
  web_connection: number;
};

export interface WebChannelSettings {
  /** How long a dropped socket may be resumed (WEB_RESUME_GRACE_SECONDS). */
  resumeGraceMs: number;
}

/** Why a session is refused before anything starts: a close code and its reason (at most 123 bytes). */
export class SessionRefused extends Error {
  override name = 'SessionRefused';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_WORDS: Record<TokenRefusal, string> = {
  missing: 'A session token is required (POST /v1/agents/{id}/authorize).',
  unknown: 'The session token is not valid.',
  used: 'The session token has already been used.',
  expired: 'The session token has expired.',
  'wrong-agent': 'The session token belongs to another agent.',
  'agent-deleted': 'Agent not found.',
};

/** Bland's language codes to the BCP-47 tags calls speak. */
const LANGUAGE_TAGS: Record<AgentDoc['language'], string> = {
  ENG: 'en-US', ESP: 'es-ES', FRE: 'fr-FR', POL: 'pl-PL', GER: 'de-DE', ITA: 'it-IT', PBR: 'pt-BR', POR: 'pt-PT',
};

/**
 * The agent as a Send Call body, so that a session resolves tools (TL-, KB-), dynamic_data, the
 * pathway, the voice and the webhook with the same code as a call. The agent's `model` is a
 * quality tier, not a model name: the session runs the deployment's model (docs/web-agents.md).
 */
export function agentCallBody(stored: AgentDoc): Record<string, unknown> {
  const a = effectiveAgent(stored);
  const body: Record<string, unknown> = {
    task: a.prompt, first_sentence: a.first_sentence, voice: a.voice, language: LANGUAGE_TAGS[a.language] ?? 'en-US',
    keywords: a.keywords, metadata: a.metadata ?? {}, analysis_schema: a.analysis_schema, webhook: a.webhook,
    tools: a.tools ?? [], dynamic_data: a.dynamic_data ?? [], pathway_id: a.pathway_id, max_duration: a.max_duration,
    interruption_threshold: a.interruption_threshold,
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null));
}

/** Beyond its max_duration, a session ends within minutes (the final record, post-call work). */
const ENDING_MARGIN_MINUTES = 10;

/**
 * The agent's live sessions (those stored before `ahead` of, if given: earlier, or as early with a
 * smaller id). A session lives at most its max_duration, so an unfinished record older than that
 * (a start that died half-way) does not hold a place.
 */
function liveWebCalls(deps: ApiDeps, agent: Pick<AgentDoc, '_id' | 'org_id' | 'max_duration'>, ahead?: { created_at: Date; _id: string }) {
  const minutes = (agent.max_duration ?? deps.callDefaults.maxDurationMinutes) + ENDING_MARGIN_MINUTES;
  const since = new Date(Date.now() - minutes * 60_000);
  const live = { org_id: agent.org_id, completed: false, agent_id: agent._id, created_at: { $gt: since } };
  if (!ahead) return deps.db.collections.calls.countDocuments(live);
  return deps.db.collections.calls.countDocuments({
    ...live,
    $or: [{ created_at: { $gt: since, $lt: ahead.created_at } }, { created_at: ahead.created_at, _id: { $lt: ahead._id } }],
  });
}

const hashSecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');
/** A resume token's secret part: 192 random bits. */
const newSecret = () => randomBytes(24).toString('base64url');

/**
 * Opens a session: the token is redeemed (single use) and the agent's live sessions counted before
 * anything is stored; then the call is stored queued and its workflow started, as a call's is.
 * Returns the call and the resume token (`<call_id>.<secret>`; only its hash is stored).
 */
export async function openWebSession(
  deps: ApiDeps,
  settings: WebChannelSettings,
  agentId: string,
  token: string | null,
): Promise<{ doc: WebCallDoc; input: CallWorkflowInput; agent: AgentDoc; resumeToken: string }> {
  if (!token) throw new SessionRefused(CLOSE.unauthorized, TOKEN_WORDS.missing);
  const known = await deps.db.collections.agents.findOne({ _id: agentId }, { projection: { org_id: 1, max_concurrent_sessions: 1, max_duration: 1 } });
  if (!known) throw new SessionRefused(CLOSE.agentNotFound, 'Agent not found.');
  // Counted before the token is spent, so a full agent does not cost the visitor their token.
  const limit = known.max_concurrent_sessions;
  if ((await liveWebCalls(deps, known)) >= limit) throw tooMany(limit);
  const redeemed = await redeemSessionToken(deps.db, agentId, token);
  if (!redeemed.ok) throw new SessionRefused(redeemed.reason === 'agent-deleted' ? CLOSE.agentNotFound : CLOSE.unauthorized, TOKEN_WORDS[redeemed.reason]);
  const agent = redeemed.agent;
  const orgId = agent.org_id;
  const body = agentCallBody(agent);
  let config;
  try {
    config = { ...(await resolveCallConfig(deps, orgId, body, null)), ...(await callVoice(deps, orgId, body)) };
  } catch (err) {
    // The agent refers to something gone since it was saved (a tool, a pathway, a voice): say what.
    if (err instanceof ApiError) throw new SessionRefused(CLOSE.serverError, `The agent cannot start: ${err.message}`.slice(0, 120));
    throw err;
  }
  const callId = newCallId();
  const base = callWorkflowInput({ callId, orgId, batchId: null }, { to: '', from: '', body, encryptedKey: null, webhookBaseUrl: deps.publicBaseUrl, ...config }, deps.callDefaults);
  const input: CallWorkflowInput = { ...base, channel: 'web', web: { agentId, resumeGraceMs: settings.resumeGraceMs, localStart: true } };
  const secret = newSecret();
  const doc: WebCallDoc = {
    ...newCallDoc(input, { body, queueStatus: 'queued', endpointUrl: deps.publicBaseUrl, simulated: false, now: new Date() }),
    request_data: {}, channel: 'web', agent_id: agentId, web_resume_hash: hashSecret(secret), web_connection: 1,
  };
  const calls = deps.db.collections.calls;
  await calls.insertOne(doc);
  // Two sessions racing for the last place both counted below the limit: the later one gives way.
  if ((await liveWebCalls(deps, agent)) > limit) {
    if ((await liveWebCalls(deps, agent, doc)) >= limit) {
      await calls.deleteOne({ _id: callId, org_id: orgId });
      throw tooMany(limit);
    }
  }
  try {
    await deps.temporal.workflow.start('webCallWorkflow', {
      taskQueue: deps.taskQueue,
      workflowId: callWorkflowId(callId),
      args: [input],
      typedSearchAttributes: callStartAttributes(input, null),
      memo: { summary: `Web session with agent ${agentId}`, org_id: orgId },
    });
  } catch (err) {
    await calls.updateOne({ _id: callId, org_id: orgId }, { $set: { queue_status: 'pre_queue_error', completed: true, error_message: 'The web session could not be started.' } });
    deps.logger.error({ err, callId }, 'web call workflow start failed');
    throw new SessionRefused(CLOSE.serverError, 'The session could not be started; try again.');
  }
  return { doc, input, agent, resumeToken: `${callId}.${secret}` };
}

const tooMany = (limit: number) => new SessionRefused(CLOSE.tooManySessions, `This agent already has ${limit} live sessions (max_concurrent_sessions).`);

/**
 * A dropped socket comes back: the resume token names a live web call of this agent. The token is
 * spent and a new one issued (sent in the new socket's `session` frame), and the call's connection
 * number bumped, in one compare-and-set: of two sockets racing with one token, one joins. The token
 * spent stays good for one grace period after it was spent, in case its socket dropped before the
 * new token arrived; that resume does not extend it. The workflow still decides whether the grace
 * period is over (the gateway's connect update).
 */
export async function resumeWebSession(
  deps: ApiDeps,
  settings: WebChannelSettings,
  agentId: string,
  resumeToken: string,
): Promise<{ doc: WebCallDoc; connection: number; resumeToken: string }> {
  const refused = new SessionRefused(CLOSE.resumeRefused, 'This session cannot be resumed (unknown, ended, or the grace period is over).');
  const dot = resumeToken.indexOf('.');
  if (dot <= 0 || resumeToken.length > 200) throw refused;
  const callId = resumeToken.slice(0, dot);
  const hash = Buffer.from(hashSecret(resumeToken.slice(dot + 1)), 'hex');
  const calls = deps.db.collections.calls;
  const found = (await calls.findOne({ _id: callId, agent_id: agentId, channel: 'web' })) as WebCallDoc | null;
  if (!found || found.completed) throw refused;
  const now = new Date();
  const current = sameHash(found.web_resume_hash, hash);
  const rotatedAt = found.web_resume_rotated_at?.getTime() ?? 0;
  const previous = !current && now.getTime() - rotatedAt < settings.resumeGraceMs && sameHash(found.web_resume_prev_hash, hash);
  if (!current && !previous) throw refused;
  const secret = newSecret();
  const set = current
    ? { web_resume_hash: hashSecret(secret), web_resume_prev_hash: found.web_resume_hash, web_resume_rotated_at: now }
    : { web_resume_hash: hashSecret(secret) };
  const bumped = (await calls.findOneAndUpdate(
    { _id: callId, org_id: found.org_id, web_resume_hash: found.web_resume_hash },
    { $set: set, $inc: { web_connection: 1 } } as Record<string, unknown>,
    { returnDocument: 'after' },
  )) as WebCallDoc | null;
  if (!bumped) throw refused;
  return { doc: bumped, connection: bumped.web_connection, resumeToken: `${callId}.${secret}` };
}

/** Whether a stored hex hash is `hash`, in constant time. */
function sameHash(storedHex: string | undefined, hash: Buffer): boolean {
  if (!storedHex) return false;
  const stored = Buffer.from(storedHex, 'hex');
  return stored.length === hash.length && timingSafeEqual(stored, hash);
}
