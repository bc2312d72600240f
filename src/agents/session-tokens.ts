import { createHash, randomUUID } from 'node:crypto';
import type { Database } from '../db/database';
import type { AgentDoc } from './types';

/** Lifetime of a session token; documented in docs/web-agents.md. */
export const SESSION_TOKEN_TTL_MS = 5 * 60_000;
/** Longer than any token this API issues: such a token is not looked up. */
const MAX_TOKEN_CHARS = 200;

export const hashAgentSessionToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * Issues a single-use token for the agent; stores only its SHA-256 (like API keys). The token is a
 * random UUID (122 random bits), shown once, as in the seed's example.
 */
export async function issueSessionToken(db: Database, orgId: string, agentId: string, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
  const token = randomUUID();
  const expiresAt = new Date(now.getTime() + SESSION_TOKEN_TTL_MS);
  await db.collections.agentSessionTokens.insertOne({
    _id: hashAgentSessionToken(token),
    org_id: orgId,
    agent_id: agentId,
    created_at: now,
    expires_at: expiresAt,
    used_at: null,
  });
  return { token, expiresAt };
}

export type TokenRefusal = 'missing' | 'unknown' | 'used' | 'expired' | 'wrong-agent' | 'agent-deleted';

/**
 * Redeems a token for `agentId` atomically: one findOneAndUpdate on {_id: hash, agent_id,
 * used_at: null, unexpired} marks it used, so of two racing sessions exactly one wins. A token
 * presented for another agent, or after it expired, is not consumed. The agent is read after the
 * redemption, so a token of a deleted agent is refused.
 */
export async function redeemSessionToken(
  db: Database,
  agentId: string,
  token: string | null | undefined,
  now = new Date(),
): Promise<{ ok: true; agent: AgentDoc } | { ok: false; reason: TokenRefusal }> {
  if (token === null || token === undefined || token === '') return { ok: false, reason: 'missing' };
  if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) return { ok: false, reason: 'unknown' };
  const { agentSessionTokens, agents } = db.collections;
  const hash = hashAgentSessionToken(token);
  const redeemed = await agentSessionTokens.findOneAndUpdate(
    { _id: hash, agent_id: agentId, used_at: null, expires_at: { $gt: now } },
    { $set: { used_at: now } },
    { returnDocument: 'after' },
  );
  if (!redeemed) return { ok: false, reason: await whyRefused(db, hash, agentId, now) };
  const agent = await agents.findOne({ _id: agentId, org_id: redeemed.org_id });
  if (!agent) return { ok: false, reason: 'agent-deleted' };
  return { ok: true, agent };
}

async function whyRefused(db: Database, hash: string, agentId: string, now: Date): Promise<TokenRefusal> {
  const doc = await db.collections.agentSessionTokens.findOne({ _id: hash });
  if (!doc) return 'unknown';
  if (doc.agent_id !== agentId) return 'wrong-agent';
  if (doc.used_at !== null) return 'used';
  if (doc.expires_at.getTime() <= now.getTime()) return 'expired';
  // Redeemed by a racing session between the two reads.
  return 'used';
}

/** Deletes the agent's tokens (on agent deletion), so none of them works any more. */
export async function deleteAgentSessionTokens(db: Database, agentId: string): Promise<void> {
  await db.collections.agentSessionTokens.deleteMany({ agent_id: agentId });
}
