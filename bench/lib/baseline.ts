import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { echoUpdate, echoViaActivityUpdate, echoViaLocalActivityUpdate, finishSignal, type BaselineActivities } from './baseline-api';

export type BaselineKind = 'raw' | 'activity' | 'local';

/** Its own bundle, so the baseline pays none of the call workflow's imports or sandbox size. */
export function bundleBaseline(): Promise<WorkflowBundle> {
  const quiet = { log() {}, info() {}, debug() {}, trace() {}, warn: console.warn, error: console.error };
  return bundleWorkflowCode({ workflowsPath: require.resolve('../baseline-workflow'), logger: quiet });
}

export interface BaselineWorker {
  taskQueue: string;
  stop(): Promise<void>;
}

/**
 * A second Worker in this process on its own task queue. Must start after the call worker: that
 * one installs the SDK Runtime (logger), which can happen only once and before any other worker.
 */
export async function startBaselineWorker(address: string, namespace: string, bundle: WorkflowBundle): Promise<BaselineWorker> {
  try {
    // When the call worker runs in its own process, this is the first Worker here: keep the SDK's
    // state-change lines out of the bench's output. Otherwise the call worker installed it already.
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Installed: the call worker's settings stand.
  }
  const taskQueue = `bench-baseline-${randomBytes(4).toString('hex')}`;
  const connection = await NativeConnection.connect({ address });
  const activities: BaselineActivities = { noop: async (n) => n };
  // The call worker's activity slots (src/temporal/worker.ts): the ceiling and the calls differ in their workflows, not their workers.
  const worker = await Worker.create({ connection, namespace, taskQueue, workflowBundle: bundle, activities, maxConcurrentActivityTaskExecutions: 200 });
  const running = worker.run().finally(() => connection.close());
  running.catch(() => undefined); // surfaced by stop()
  return {
    taskQueue,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

/** Aborts the client's own calls, so nothing is left polling once the client closes. */
function within<T>(client: Client, ms: number, what: string, fn: () => Promise<T>): Promise<T> {
  return client.withAbortSignal(AbortSignal.timeout(ms), fn).catch((err: unknown) => {
    throw new Error(`${what} failed or took over ${ms} ms`, { cause: err });
  });
}

/**
 * `handle.executeUpdate` latency, client-side, with the same shape as the call load: `concurrency`
 * workflows side by side, each taking its updates one after another like a call takes its turns,
 * `pauseMs` apart (a caller's pause before each line; 0: back to back).
 */
export async function measureUpdates(
  client: Client,
  taskQueue: string,
  kind: BaselineKind,
  opts: { iterations: number; concurrency: number; warmup: number; pauseMs?: number; workflowIds?: string[] },
): Promise<number[]> {
  const update = { raw: echoUpdate, activity: echoViaActivityUpdate, local: echoViaLocalActivityUpdate }[kind];
  const samples: number[] = [];
  const chain = async (i: number): Promise<void> => {
    const share = Math.floor(opts.iterations / opts.concurrency) + (i < opts.iterations % opts.concurrency ? 1 : 0);
    const handle = await client.workflow.start('baselineWorkflow', {
      taskQueue,
      workflowId: `bench-${kind}-${i}-${randomBytes(4).toString('hex')}`,
      args: [],
    });
    opts.workflowIds?.push(handle.workflowId);
    for (let n = 0; n < opts.warmup + share; n++) {
      if (opts.pauseMs) await sleep(opts.pauseMs);
      const t0 = performance.now();
      await within(client, 30_000, `${kind} update`, () => handle.executeUpdate(update, { args: [n] }));
      if (n >= opts.warmup) samples.push(performance.now() - t0);
    }
    await handle.signal(finishSignal);
    await within(client, 30_000, 'baseline workflow completion', () => handle.result());
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, i) => chain(i)));
  return samples;
}

export interface CeilingRun {
  /** Workflows started, and those that completed (in the window or after it). */
  started: number;
  completed: number;
  failed: number;
  /** Completed within the window: the rate's numerator. */
  inWindow: number;
  /** First start -> the last answer, or -> the window's end when workflows were still running then. */
  windowMs: number;
  /** Those that completed. */
  workflowIds: string[];
  firstError: string | null;
}

/** Long enough for one workflow's turn in a saturated queue (200 in flight at a few per second). */
const CEILING_WORKFLOW_TIMEOUT_MS = 600_000;

/**
 * The raw ceiling of the Temporal server under a batch: workflows of two no-op activities each,
 * `concurrency` at a time, every one started from the client and awaited to its result, until
 * `total` have been started or `windowMs` has passed. Those still running then are awaited too,
 * so the server is quiet again, but only completions inside the window count.
 */
export async function measureCeiling(client: Client, taskQueue: string, opts: { total: number; concurrency: number; windowMs: number }): Promise<CeilingRun> {
  const run: CeilingRun = { started: 0, completed: 0, failed: 0, inWindow: 0, windowMs: 0, workflowIds: [], firstError: null };
  const prefix = `bench-ceiling-${randomBytes(4).toString('hex')}`;
  const t0 = performance.now();
  const end = t0 + opts.windowMs;
  const lane = async () => {
    while (run.started < opts.total && performance.now() < end) {
      const workflowId = `${prefix}-${run.started++}`;
      try {
        await within(client, CEILING_WORKFLOW_TIMEOUT_MS, 'ceiling workflow', async () => {
          const handle = await client.workflow.start('twoActivitiesWorkflow', { taskQueue, workflowId, args: [] });
          await handle.result();
        });
        const at = performance.now();
        run.completed++;
        run.workflowIds.push(workflowId);
        if (at <= end) run.inWindow++;
      } catch (err) {
        run.failed++;
        run.firstError ??= err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` <- ${err.cause.message}` : ''}` : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, opts.total) }, lane));
  // All over inside the window: up to the last answer. Otherwise the whole window.
  run.windowMs = Math.min(performance.now() - t0, opts.windowMs);
  return run;
}
