import type { Collection, Document } from 'mongodb';

/** MongoDB's "NotImplemented": a store without TTL indexes answers it to one. */
const NOT_IMPLEMENTED = 238;

/**
 * A TTL index on `expires_at` deletes a document once it has expired. A store that cannot build
 * TTL indexes gets a plain index on `expires_at` instead, and every read checks the expiry itself;
 * any other failure is a real one and stops start-up.
 */
export async function ensureTtlIndex<T extends Document>(collection: Collection<T>): Promise<void> {
  try {
    await collection.createIndex({ expires_at: 1 }, { expireAfterSeconds: 0 });
  } catch (err) {
    if ((err as { code?: unknown }).code !== NOT_IMPLEMENTED) throw err;
    await collection.createIndex({ expires_at: 1 });
  }
}
