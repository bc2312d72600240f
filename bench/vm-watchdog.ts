import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createContext, Script } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { machineInfo } from './lib/machine';
import { formatTable, ratio, summarize, type Summary } from './lib/stats';

/**
 * `npx tsx bench/vm-watchdog.ts [--calls 5000] [--busy 3]`: what the Temporal SDK's way into a
 * workflow costs a call. Every time the worker runs workflow code (an activation, each unblocking
 * pass, its conclusion: about nine times a turn) it calls `vm.Script.runInContext` with a `timeout`
 * (its deadlock detection, `isolateExecutionTimeout`, 5 s), and Node starts a watchdog thread for
 * each such call and joins it afterwards. Here a trivial script is run in a context like the SDK's
 * (`microtaskMode: 'afterEvaluate'`) without a timeout (the baseline) and with the SDK's, first on
 * a quiet machine, then with `busy` threads spinning beside it, as the API, the carrier, Temporal
 * and the store do during a call burst. Figures are printed, never asserted.
 */

const SDK_TIMEOUT_MS = 5_000;

function time(calls: number, timeout: number | undefined): Summary {
  const context = createContext({ x: 0 }, { microtaskMode: 'afterEvaluate' });
  const script = new Script('x++');
  const options = timeout === undefined ? {} : { timeout };
  const took: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    script.runInContext(context, options);
    took.push(performance.now() - t0);
  }
  return summarize(took);
}

/** Threads that keep a core busy until terminated. */
async function spin(threads: number): Promise<() => Promise<void>> {
  const workers = Array.from({ length: threads }, () => new Worker('for (;;) {}', { eval: true }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('online', resolve))));
  return async () => {
    await Promise.all(workers.map((w) => w.terminate()));
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { calls: { type: 'string', default: '5000' }, busy: { type: 'string', default: '3' } } });
  const calls = Number(values.calls);
  const busy = Number(values.busy);
  if (!Number.isInteger(calls) || calls < 100 || calls > 1_000_000) throw new Error('--calls must be an integer in 100..1000000');
  if (!Number.isInteger(busy) || busy < 0 || busy > 16) throw new Error('--busy must be an integer in 0..16');

  time(Math.min(calls, 1_000), SDK_TIMEOUT_MS); // warm-up, not reported
  const quiet = { none: time(calls, undefined), sdk: time(calls, SDK_TIMEOUT_MS) };
  const stop = await spin(busy);
  const loaded = { none: time(calls, undefined), sdk: time(calls, SDK_TIMEOUT_MS) };
  await stop();

  const m = await machineInfo();
  const row = (label: string, s: Summary): [string, Summary] => [label, s];
  const ratios = (label: string, r: { none: Summary; sdk: Summary }) =>
    `${label}: with the SDK's timeout / without, p50 ${ratio(r.sdk.p50, r.none.p50)}, p99 ${ratio(r.sdk.p99, r.none.p99)}, mean ${ratio(r.sdk.mean, r.none.mean)}`;
  process.stdout.write(
    [
      '',
      `vm.Script.runInContext of a trivial script, ${calls} calls each; ${busy} spinning threads for the loaded rows`,
      `machine   ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; node ${process.version}`,
      '',
      formatTable([
        row('quiet: no timeout (baseline)', quiet.none),
        row(`quiet: timeout ${SDK_TIMEOUT_MS} ms (the SDK's)`, quiet.sdk),
        row(`${busy} busy threads: no timeout`, loaded.none),
        row(`${busy} busy threads: timeout ${SDK_TIMEOUT_MS} ms`, loaded.sdk),
      ]),
      '',
      ratios('quiet', quiet),
      ratios(`${busy} busy threads`, loaded),
      '',
    ].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
