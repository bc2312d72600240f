import { createHash, randomUUID } from 'node:crypto';
import type { Database } from '../db/database';
import type { InboundSessionDoc } from './types';

/**
 * Inbound session tokens (seed 000). The token is a random UUID (122 random bits), shown once;
 * the store keeps its SHA-256. A token is good for any number of calls to its number until it
 * expires (docs/inbound.md says why).
 */
export const SESSION_LIFETIME = { defaultSeconds: 3_600, minSeconds: 60, maxSeconds: 86_400 };
/** Longer than any token this API issues: such a header is not looked up. */
const MAX_TOKEN_CHARS = 200;

export const hashSessionToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export async function createInboundSession(
  db: Database,
  input: { orgId: string; phoneNumber: string; requestData: Record<string, unknown>; voice: string | null; lifetimeSeconds: number },
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomUUID();
  const expiresAt = new Date(now.getTime() + input.lifetimeSeconds * 1000);
  await db.collections.inboundSessions.insertOne({
    _id: hashSessionToken(token),
    org_id: input.orgId,
    phone_number: input.phoneNumber,
    request_data: input.requestData,
    voice: input.voice,
    created_at: now,
    expires_at: expiresAt,
  });
  return { token, expiresAt };
}

export type SessionLookup =
  | { ok: true; session: InboundSessionDoc }
  | { ok: false; why: 'unknown' | 'expired' | 'other_number' };

/**
 * The session a call's token names, for this organisation and number. Another organisation's
 * token reads as unknown: a call never learns that it exists.
 */
export async function findInboundSession(db: Database, token: string, orgId: string, number: string, now = new Date()): Promise<SessionLookup> {
  if (token.length === 0 || token.length > MAX_TOKEN_CHARS) return { ok: false, why: 'unknown' };
  const session = await db.collections.inboundSessions.findOne({ _id: hashSessionToken(token) });
  if (!session || session.org_id !== orgId) return { ok: false, why: 'unknown' };
  // The TTL index removes expired sessions within about a minute; until then, the time decides.
  if (session.expires_at.getTime() <= now.getTime()) return { ok: false, why: 'expired' };
  if (session.phone_number !== number) return { ok: false, why: 'other_number' };
  return { ok: true, session };
}
