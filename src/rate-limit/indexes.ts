import type { Collection } from 'mongodb';
import type { RateLimitDoc } from './counters';

/** MongoDB's "NotImplemented": FerretDB 1.x answers it to a TTL index. */
const NOT_IMPLEMENTED = 238;

/**
 * A TTL index deletes a window's document once it has ended. A store that cannot build TTL
 * indexes gets a plain index on `expires_at` instead, for the sweep the counters run once a
 * window (src/rate-limit/counters.ts); any other failure is a real one and stops start-up.
 */
export async function ensureRateLimitIndexes(collection: Collection<RateLimitDoc>): Promise<void> {
  try {
    await collection.createIndex({ expires_at: 1 }, { expireAfterSeconds: 0 });
  } catch (err) {
    if ((err as { code?: unknown }).code !== NOT_IMPLEMENTED) throw err;
    await collection.createIndex({ expires_at: 1 });
  }
}
