import { isDuplicateKeyError, type Database } from '../db/database';
import type { SecretBox } from './secret-box';
import { newWebhookSecret } from './webhook-signature';

/**
 * Each organisation's webhook signing secret, sealed at rest. It is created on first need: the
 * first webhook signs with a fresh secret even if nobody has asked for one, because an unsigned
 * webhook cannot be told from a forged one. `rotate` replaces it and is the only way to see it.
 */
export interface WebhookSecretStore {
  current(orgId: string): Promise<string>;
  rotate(orgId: string): Promise<string>;
}

/** Binds the sealed value to its organisation and purpose. */
const context = (orgId: string) => `webhook-signing-secret:${orgId}`;

export function createWebhookSecretStore(db: Database, box: SecretBox): WebhookSecretStore {
  const secrets = db.collections.webhookSecrets;
  const read = async (orgId: string) => {
    const doc = await secrets.findOne({ _id: orgId, org_id: orgId });
    return doc ? box.open(doc.secret, context(orgId)) : null;
  };
  return {
    async current(orgId) {
      const existing = await read(orgId);
      if (existing !== null) return existing;
      const secret = newWebhookSecret();
      try {
        await secrets.insertOne({ _id: orgId, org_id: orgId, secret: box.seal(secret, context(orgId)), created_at: new Date(), rotated_at: null });
        return secret;
      } catch (err) {
        // Another delivery (or a rotation) created it first: use theirs.
        if (!isDuplicateKeyError(err)) throw err;
        const winner = await read(orgId);
        if (winner === null) throw err;
        return winner;
      }
    },
    async rotate(orgId) {
      const secret = newWebhookSecret();
      const now = new Date();
      await secrets.updateOne(
        { _id: orgId, org_id: orgId },
        { $set: { secret: box.seal(secret, context(orgId)), rotated_at: now }, $setOnInsert: { created_at: now } },
        { upsert: true },
      );
      return secret;
    },
  };
}
