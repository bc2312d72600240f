import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/** Activity groups with their own timeouts and retries (DESIGN §14). */

/** Read-model writes: fast, retried until the store answers. */
export const records = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
});

/**
 * Read-model writes as local activities, for work in the first workflow task of a run (the call's
 * variables), where a dispatch through the server would add a workflow task and nothing else.
 * Retried as `records` is; past 10 s of backoff, the retry waits on a timer.
 */
const LOCAL_WRITE_OPTIONS = {
  startToCloseTimeout: '10 seconds',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
} as const;
export const localRecords = proxyLocalActivities<Activities>(LOCAL_WRITE_OPTIONS);

/**
 * A record beside the opening's model turn, as a local activity: a phone call's answered record
 * (with `localAnswerRecord`), a web session's started record (with `web.localStart`). No dispatch
 * through the server, and no workflow task for its completion. The opening's reply leaves with the
 * workflow task that holds both, so it waits for the longer of the two; one attempt of at most 2 s
 * bounds what the store can add to it, after which the record is written behind by `records`
 * (local-record.ts).
 */
export const localRecordBesideTurn = proxyLocalActivities<Activities>({ startToCloseTimeout: '2 seconds', retry: { maximumAttempts: 1 } });

/** A batch child's report to its batch, in the child's last workflow task; retried as `localRecords` is. */
export const localBatchReport = proxyLocalActivities<Activities>(LOCAL_WRITE_OPTIONS);

const CARRIER_RETRY = { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 } as const;

/** Carrier REST calls: a few attempts; a 4xx fails at once (classified in the activity). */
export const carrier = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: CARRIER_RETRY });

/**
 * The dial as a local activity (runs with `localDial`), in the workflow task that resolved the
 * call's variables: one workflow task and one activity task fewer a dial. The same attempts as
 * `carrier`; past 10 s of backoff a retry waits on a timer. A worker that dies mid-dial loses the
 * workflow task, and the next worker's dial finds the first one's (placeCall dials at most once an
 * attempt).
 */
export const localCarrier = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '10 seconds',
  retry: CARRIER_RETRY,
});

const TURN_RETRY = { initialInterval: '300 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 4 } as const;

/** One model turn as a normal activity: how workflows started before LOCAL_TURNS_PATCH ran them. */
export const agent = proxyActivities<Activities>({
  startToCloseTimeout: '60 seconds',
  heartbeatTimeout: '4 seconds',
  retry: TURN_RETRY,
});

/**
 * One model turn as a local activity: it runs in the worker that holds the workflow task, so a
 * caller's utterance costs one Temporal round trip (the update) instead of two (the update, then
 * the activity's dispatch and completion). A caller is waiting, so retry quickly and not for long.
 * Semantics (docs/operations.md, "Turns as local activities"): at least once; a worker that dies
 * mid-turn loses the workflow task, and the next worker replays and runs the turn again.
 */
export const localAgent = proxyLocalActivities<Activities>({
  startToCloseTimeout: '60 seconds',
  localRetryThreshold: '10 seconds',
  retry: TURN_RETRY,
});

/** A batch's reads of its rows and writes of its records: quick, retried until the store answers. */
export const batchStore = proxyActivities<Activities>({
  startToCloseTimeout: '60 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});

/** A batch's completion webhook: a few attempts over about two minutes. */
export const batchWebhook = proxyActivities<Activities>({
  startToCloseTimeout: '60 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '60 seconds', maximumAttempts: 6 },
});
