/**
 * Per-minute request limits (fixed one-minute windows, counted in the store so that every API
 * process shares them). 0 switches a limit off.
 */
export interface RateLimitSettings {
  /** Failed API-key checks from one client address (an IPv6 client counts by its /64). */
  authFailuresPerAddress: number;
  /** Failed checks of one presented key value, from anywhere (counted under a digest of the key). */
  authFailuresPerKey: number;
  /** Work-creating requests of one organisation: calls, batches, replays, chats, analyses, dynamic-data tests. */
  workPerOrg: number;
  /** Every authenticated request of one organisation, work included. */
  requestsPerOrg: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  authFailuresPerAddress: 30,
  authFailuresPerKey: 10,
  workPerOrg: 120,
  requestsPerOrg: 3000,
};

export const RATE_LIMIT_WINDOW_MS = 60_000;
