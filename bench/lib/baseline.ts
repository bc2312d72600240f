import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { echoUpdate, echoViaActivityUpdate, finishSignal, type BaselineActivities } from './baseline-api';

export type BaselineKind = 'raw' | 'activity';

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
  const taskQueue = `bench-baseline-${randomBytes(4).toString('hex')}`;
  const connection = await NativeConnection.connect({ address });
  const activities: BaselineActivities = { noop: async (n) => n };
  const worker = await Worker.create({ connection, namespace, taskQueue, workflowBundle: bundle, activities });
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
 * workflows side by side, each taking its updates one after another like a call takes its turns.
 */
export async function measureUpdates(
  client: Client,
  taskQueue: string,
  kind: BaselineKind,
  opts: { iterations: number; concurrency: number; warmup: number },
): Promise<number[]> {
  const update = kind === 'raw' ? echoUpdate : echoViaActivityUpdate;
  const samples: number[] = [];
  const chain = async (i: number): Promise<void> => {
    const share = Math.floor(opts.iterations / opts.concurrency) + (i < opts.iterations % opts.concurrency ? 1 : 0);
    const handle = await client.workflow.start('baselineWorkflow', {
      taskQueue,
      workflowId: `bench-${kind}-${i}-${randomBytes(4).toString('hex')}`,
      args: [],
    });
    for (let n = 0; n < opts.warmup + share; n++) {
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
