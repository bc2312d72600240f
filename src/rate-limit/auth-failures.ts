import { createHash } from 'node:crypto';
import { clientAddressBucket } from './client-address';
import { secondsUntil, type WindowCounters } from './counters';
import type { RateLimitSettings } from './settings';
import type { StoreErrorReporter } from './store-errors';

export interface AuthRefusal {
  /** What went over its limit: the client's address or the presented key value. */
  reason: 'address' | 'key';
  limit: number;
  retryAfterSeconds: number;
}

export interface AuthFailureGuard {
  /** A refusal when this process already knows the address or key is over its limit this window; no store I/O. */
  refusalFor(ip: string | undefined, presentedKey: string, now?: number): AuthRefusal | null;
  /** Counts a failed key check (one round trip per limit, in parallel); a refusal when it went over a limit. */
  recordFailure(ip: string | undefined, presentedKey: string, now?: number): Promise<AuthRefusal | null>;
}

/** Blocks remembered per process; past this many, expired ones are dropped, then the oldest. */
const MAX_REMEMBERED = 10_000;

/**
 * The counters never hold a raw key: a digest, with a prefix of its own so that it is not the
 * api_keys `_id` (that is the plain SHA-256 of the key).
 */
export const presentedKeyDigest = (key: string): string =>
  createHash('sha256').update('switchboard/rate-limit/key\0').update(key, 'utf8').digest('hex').slice(0, 32);

/**
 * Limits failed API-key checks per client address and per presented key value, so keys cannot be
 * guessed at speed. Every failure is counted in the store, shared by all API processes; once a
 * count reaches its limit the process remembers the block until the window ends and refuses that
 * address or key at once, before the key is even looked up. Another process learns of it at its
 * own next failure there (the count it gets back is over the limit). Successful checks cost
 * nothing here.
 */
export function createAuthFailureGuard(opts: {
  counters: WindowCounters;
  limits: Pick<RateLimitSettings, 'authFailuresPerAddress' | 'authFailuresPerKey'>;
  reportStoreError: StoreErrorReporter;
}): AuthFailureGuard {
  const { counters: store, limits, reportStoreError } = opts;
  const blockedUntil = new Map<string, number>();

  const remember = (id: string, endsAt: number, now: number) => {
    if (blockedUntil.size >= MAX_REMEMBERED) {
      for (const [k, until] of blockedUntil) if (until <= now) blockedUntil.delete(k);
      while (blockedUntil.size >= MAX_REMEMBERED) blockedUntil.delete(blockedUntil.keys().next().value!);
    }
    blockedUntil.set(id, endsAt);
  };
  const known = (id: string, now: number): number | null => {
    const until = blockedUntil.get(id);
    if (until === undefined) return null;
    if (until > now) return until;
    blockedUntil.delete(id);
    return null;
  };
  const targets = (ip: string | undefined, presentedKey: string) => [
    { reason: 'address' as const, scope: 'auth_address' as const, key: clientAddressBucket(ip), limit: limits.authFailuresPerAddress },
    { reason: 'key' as const, scope: 'auth_key' as const, key: presentedKeyDigest(presentedKey), limit: limits.authFailuresPerKey },
  ].filter((t) => t.limit > 0);

  return {
    refusalFor(ip, presentedKey, now = Date.now()) {
      for (const t of targets(ip, presentedKey)) {
        const until = known(`${t.scope}:${t.key}`, now);
        if (until !== null) return { reason: t.reason, limit: t.limit, retryAfterSeconds: secondsUntil(until, now) };
      }
      return null;
    },

    async recordFailure(ip, presentedKey, now = Date.now()) {
      const hits = await Promise.all(
        targets(ip, presentedKey).map(async (t) => {
          try {
            const { counters, window } = await store.hit(t, { failures: 1 }, now);
            const failures = counters.failures ?? 0;
            return { t, reached: failures >= t.limit, over: failures > t.limit, endsAt: window.endsAt };
          } catch (err) {
            reportStoreError(err, t.scope);
            return null;
          }
        }),
      );
      let refusal: AuthRefusal | null = null;
      for (const hit of hits) {
        // The Nth failure still answers 401; whatever this address or key sends next is refused here.
        if (hit?.reached) remember(`${hit.t.scope}:${hit.t.key}`, hit.endsAt, now);
        if (hit?.over) refusal ??= { reason: hit.t.reason, limit: hit.t.limit, retryAfterSeconds: secondsUntil(hit.endsAt, now) };
      }
      return refusal;
    },
  };
}
