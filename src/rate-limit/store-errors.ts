import type { Logger } from '../logger';

/** At most one log line per this many ms while the limiter's store writes keep failing. */
const REPORT_EVERY_MS = 10_000;

export type StoreErrorReporter = (err: unknown, scope: string) => void;

/**
 * The limiter fails open: when its store write fails the request goes on unlimited, which keeps
 * the API available through a store hiccup. That must never be silent, and must not flood the log
 * during an outage: the first failure logs at once, later ones at most every 10 s with a count.
 */
export function storeErrorReporter(logger: Logger, now: () => number = Date.now): StoreErrorReporter {
  let lastAt = -Infinity;
  let suppressed = 0;
  return (err, scope) => {
    const t = now();
    if (t - lastAt < REPORT_EVERY_MS) {
      suppressed += 1;
      return;
    }
    logger.error({ err, scope, suppressedSinceLast: suppressed }, 'rate limit store write failed: request let through unlimited (fail-open)');
    lastAt = t;
    suppressed = 0;
  };
}
