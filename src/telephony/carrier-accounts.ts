import { createHash, randomBytes } from 'node:crypto';
import type { SecretBox } from '../crypto/secret-box';
import type { Database } from '../db/database';
import type { CarrierCredentials } from './provider';

/**
 * Bring-your-own-Twilio (Bland's `encrypted_key`): an organisation's Twilio credentials, sealed at
 * rest with ENCRYPTION_KEY (AES-256-GCM, bound to the account record and its organisation). The
 * `encrypted_key` handed back is a random bearer handle, `ek_<43 chars>`; only its SHA-256 is
 * stored (the account's `_id`), so the database alone cannot be used to send calls on it.
 */
export interface CarrierAccountDoc {
  /** sha256(encrypted_key), hex. */
  _id: string;
  org_id: string;
  account_sid: string;
  /** The auth token, sealed. */
  auth_token: string;
  created_at: Date;
  disabled_at: Date | null;
}

export interface ResolvedAccount {
  accountId: string;
  credentials: CarrierCredentials;
}

export interface CarrierAccountStore {
  create(orgId: string, credentials: CarrierCredentials): Promise<string>;
  /** 'disabled' once; 'unknown' for a key that is not this organisation's or was already disabled. */
  disable(orgId: string, encryptedKey: string): Promise<'disabled' | 'unknown'>;
  /** The live account behind a key, for this organisation only; null otherwise. */
  resolve(orgId: string, encryptedKey: string): Promise<ResolvedAccount | null>;
  /** An account by its id (stored on the call): for the calls it placed, even after the key is disabled. */
  byId(orgId: string, accountId: string): Promise<CarrierCredentials | null>;
}

export const ENCRYPTED_KEY = /^ek_[A-Za-z0-9_-]{43}$/;
export const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;

export const accountIdOf = (encryptedKey: string): string => createHash('sha256').update(encryptedKey).digest('hex');
const context = (orgId: string, accountId: string) => `twilio-auth-token:${orgId}:${accountId}`;

export function createCarrierAccountStore(db: Database, box: SecretBox): CarrierAccountStore {
  const accounts = db.collections.accounts;
  // By bare _id, the fast filter on FerretDB; the organisation is checked in code.
  const load = async (orgId: string, accountId: string) => {
    const doc = await accounts.findOne({ _id: accountId });
    return doc && doc.org_id === orgId ? doc : null;
  };
  const open = (doc: CarrierAccountDoc): CarrierCredentials => ({
    accountSid: doc.account_sid,
    authToken: box.open(doc.auth_token, context(doc.org_id, doc._id)),
  });
  return {
    async create(orgId, { accountSid, authToken }) {
      const encryptedKey = `ek_${randomBytes(32).toString('base64url')}`;
      const _id = accountIdOf(encryptedKey);
      await accounts.insertOne({
        _id,
        org_id: orgId,
        account_sid: accountSid,
        auth_token: box.seal(authToken, context(orgId, _id)),
        created_at: new Date(),
        disabled_at: null,
      });
      return encryptedKey;
    },
    async disable(orgId, encryptedKey) {
      if (!ENCRYPTED_KEY.test(encryptedKey)) return 'unknown';
      const doc = await load(orgId, accountIdOf(encryptedKey));
      if (!doc || doc.disabled_at) return 'unknown';
      await accounts.updateOne({ _id: doc._id }, { $set: { disabled_at: new Date() } });
      return 'disabled';
    },
    async resolve(orgId, encryptedKey) {
      if (!ENCRYPTED_KEY.test(encryptedKey)) return null;
      const doc = await load(orgId, accountIdOf(encryptedKey));
      if (!doc || doc.disabled_at) return null;
      return { accountId: doc._id, credentials: open(doc) };
    },
    async byId(orgId, accountId) {
      const doc = await load(orgId, accountId);
      return doc ? open(doc) : null;
    },
  };
}
