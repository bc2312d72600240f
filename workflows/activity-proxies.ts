import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/** Activity groups with their own timeouts and retries (DESIGN §14). */

/** Read-model writes: fast, retried until the store answers. */
export const records = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
});

/** Carrier REST calls: a few attempts; a 4xx fails at once (classified in the activity). */
export const carrier = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});

/** One model turn: a caller is waiting, so retry quickly and not for long. */
export const agent = proxyActivities<Activities>({
  startToCloseTimeout: '60 seconds',
  heartbeatTimeout: '4 seconds',
  retry: { initialInterval: '300 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 4 },
});
