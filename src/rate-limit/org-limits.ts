import { secondsUntil, type Counters, type WindowCounters } from './counters';
import type { RateLimitSettings } from './settings';
import type { StoreErrorReporter } from './store-errors';

export interface OrgRefusal {
  /** `work`: the work-creating limit; `requests`: the limit on all requests. */
  limit: 'work' | 'requests';
  perMinute: number;
  retryAfterSeconds: number;
}

export interface OrgLimiter {
  /** Counts one request of the organisation; a refusal when it goes over a limit. */
  hit(orgId: string, work: boolean, now?: number): Promise<OrgRefusal | null>;
}

/**
 * Per-organisation limits. Both counters of an organisation live in one window document, so a
 * request costs one store round trip whichever limits apply (none when both are off). Refused
 * requests are counted too: a client that keeps hammering stays refused until the window ends.
 */
export function createOrgLimiter(opts: {
  counters: WindowCounters;
  limits: Pick<RateLimitSettings, 'workPerOrg' | 'requestsPerOrg'>;
  reportStoreError: StoreErrorReporter;
}): OrgLimiter {
  const { counters, limits, reportStoreError } = opts;
  return {
    async hit(orgId, work, now = Date.now()) {
      const inc: Counters = {};
      if (limits.requestsPerOrg > 0) inc.requests = 1;
      if (work && limits.workPerOrg > 0) inc.work = 1;
      if (Object.keys(inc).length === 0) return null;
      let hit;
      try {
        hit = await counters.hit({ scope: 'org', key: orgId, orgId }, inc, now);
      } catch (err) {
        reportStoreError(err, 'org');
        return null;
      }
      const retryAfterSeconds = secondsUntil(hit.window.endsAt, now);
      if (inc.requests && (hit.counters.requests ?? 0) > limits.requestsPerOrg) {
        return { limit: 'requests', perMinute: limits.requestsPerOrg, retryAfterSeconds };
      }
      if (inc.work && (hit.counters.work ?? 0) > limits.workPerOrg) {
        return { limit: 'work', perMinute: limits.workPerOrg, retryAfterSeconds };
      }
      return null;
    },
  };
}
