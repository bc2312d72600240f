import { createHash, timingSafeEqual } from 'node:crypto';
import type { Database } from '../db/database';
import { isDuplicateKeyError } from '../db/database';
import { newApiKey, newOrgId } from '../ids';

export const DEFAULT_ORG_ID = 'org_default';

export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** Constant-time comparison of two secrets of any length. */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export async function createOrg(db: Database, name: string, orgId: string = newOrgId()): Promise<string> {
  try {
    await db.collections.orgs.insertOne({ _id: orgId, name, created_at: new Date() });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  return orgId;
}

/** Stores the hash of `key` (a new random key when absent) for the organisation; returns the raw key once. */
export async function issueApiKey(db: Database, orgId: string, label: string | null, key: string = newApiKey()) {
  try {
    await db.collections.apiKeys.insertOne({
      _id: hashApiKey(key),
      org_id: orgId,
      prefix: key.slice(0, 6),
      label,
      created_at: new Date(),
    });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const existing = await db.collections.apiKeys.findOne({ _id: hashApiKey(key) });
    if (existing?.org_id !== orgId) throw new Error('API key already belongs to another organisation', { cause: err });
  }
  return key;
}

/**
 * Looks a key up by its hash. The lookup is by hash, so the only comparison that touches secret
 * material is the final constant-time check.
 */
export async function authenticateApiKey(db: Database, key: string): Promise<string | null> {
  if (key.length < 8 || key.length > 256) return null;
  const hash = hashApiKey(key);
  const doc = await db.collections.apiKeys.findOne({ _id: hash });
  if (!doc || !secretsEqual(doc._id, hash)) return null;
  return doc.org_id;
}
