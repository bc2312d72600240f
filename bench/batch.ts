import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { batchProgressQuery, batchWorkflowId } from '../src/workflow-api/batch';
import { cpuSnapshot, formatCpu } from './lib/cpu';
import { formatMachine, machineInfo, versions } from './lib/machine';
import { startBenchStack } from './lib/stack';
import { formatTable, summarize } from './lib/stats';
import { progress, runMain, stopOnSignal, stopStack } from './lib/run';

/**
 * `npm run bench:batch`: one batch of N rows (default 10,000) against the carrier simulator, two
 * turns per call and no think time, max_concurrency 200. Prints calls completed per second end to
 * end, time to first dial, the dial delay behind the window, peak RSS and each process's CPU share.
 * Figures are printed, never asserted. `--rows 500` for a quick run.
 */

const CALLEE = '+14155550111';

function options() {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '10000' },
      concurrency: { type: 'string', default: '200' },
      'dials-per-second': { type: 'string', default: '1000' },
      'timeout-s': { type: 'string', default: '1800' },
    },
  });
  const rows = Number(values.rows);
  const concurrency = Number(values.concurrency);
  const dps = Number(values['dials-per-second']);
  if (!Number.isInteger(rows) || rows < 1 || rows > 100_000) throw new Error('--rows must be an integer in 1..100000');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) throw new Error('--concurrency must be an integer in 1..1000');
  return { rows, concurrency, dps, timeoutMs: Number(values['timeout-s']) * 1000 };
}


/** Peak resident memory of a child process (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function main(): Promise<number> {
  const opts = options();
  // The batch's pace limit is not what is measured here: the window is.
  process.env.BATCH_DIALS_PER_SECOND = String(opts.dps);
  const loadAtStart = loadavg()[0]!;
  const stack = await startBenchStack(progress);
  stopOnSignal(stack);
  let report: string[];
  try {
    const [machine, vers] = await Promise.all([machineInfo(), versions(stack.temporalBinary, stack.endpoints.mongoUri)]);
    // Two turns per call: the answer turn, then one line that ends it. No think time.
    stack.simulator.scriptNumber(CALLEE, { answer: 'human', utterances: ['Okay, bye now.'], speechDelayMs: 0 });
    const callData = Array.from({ length: opts.rows }, (_, i) => ({ phone_number: CALLEE, row: i }));

    const cpu0 = cpuSnapshot(stack.pids);
    const t0 = performance.now();
    const wall0 = Date.now();
    const res = await fetch(`${stack.proxy.url}/v1/batches`, {
      method: 'POST',
      headers: { authorization: stack.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ base_prompt: 'Say hello to row {{row}} and say goodbye.', call_data: callData, max_concurrency: opts.concurrency }),
    });
    const body = (await res.json()) as { batch_id?: string; message?: string };
    if (!res.ok || !body.batch_id) throw new Error(`POST /v1/batches answered ${res.status}: ${JSON.stringify(body)}`);
    const acceptedMs = performance.now() - t0;
    const batchId = body.batch_id;
    progress(`batch ${batchId}: ${opts.rows} rows accepted in ${acceptedMs.toFixed(0)} ms; waiting for it to finish`);

    const handle = stack.temporal.client.workflow.getHandle(batchWorkflowId(batchId));
    let lastLog = 0;
    for (;;) {
      const doc = await stack.db.collections.batches.findOne({ _id: batchId });
      if (doc?.status === 'completed') break;
      if (performance.now() - t0 > opts.timeoutMs) throw new Error(`batch not completed within ${opts.timeoutMs / 1000} s`);
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        const p = await handle.query(batchProgressQuery).catch(() => null);
        if (p) progress(`done ${p.done}/${p.totalRows}, live ${p.live}, ${p.callsPerSecond} calls/s, run ${p.run}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const totalMs = performance.now() - t0;
    const cpu1 = cpuSnapshot(stack.pids);
    const final = await handle.query(batchProgressQuery);

    const sims = [...stack.simulator.calls.values()].filter((c) => c.req.to === CALLEE);
    const dials = sims.map((c) => c.createdAt.getTime()).sort((a, b) => a - b);
    const ends = sims.map((c) => (c.endedAt ?? new Date()).getTime()).sort((a, b) => a - b);
    // The k-th dial after the first window could have happened once the k-th call had ended.
    const behind: number[] = [];
    for (let k = 0; k + opts.concurrency < dials.length; k += 1) behind.push(Math.max(0, dials[k + opts.concurrency]! - ends[k]!));
    const durations = sims.map((c) => (c.endedAt ?? new Date()).getTime() - c.createdAt.getTime());
    const nodeRss = process.resourceUsage().maxRSS / 1024;

    report = [
      '',
      `Switchboard batch throughput: ${opts.rows} rows, max_concurrency ${opts.concurrency}, 2 turns per call, no think time, simulated carrier, offline model`,
      formatMachine(machine, vers),
      '',
      `calls completed end to end:   ${final.done} in ${(totalMs / 1000).toFixed(1)} s = ${(final.done / (totalMs / 1000)).toFixed(1)} calls/s`,
      `POST /v1/batches answered in: ${acceptedMs.toFixed(0)} ms`,
      `time to first dial:           ${dials.length > 0 ? dials[0]! - wall0 : NaN} ms after the POST was sent`,
      `dials seen by the carrier:    ${sims.length} (rows ${opts.rows}); batch runs (continue-as-new): ${final.run}`,
      `outcomes:                     ${JSON.stringify(final.queueStatuses)} ${JSON.stringify(final.statuses)}`,
      '',
      formatTable([
        // k-th call hung up -> (k + max_concurrency)-th dial: how long a slot freed by a call stays empty
        // (includes the call's final record, its done signal and the next child's start).
        ['dial delay behind the window (slot free -> next dial)', summarize(behind)],
        ['call on the line (dial -> hang-up)', summarize(durations)],
      ]),
      '',
      `peak RSS: node (API + worker + simulator + model, one process) ${nodeRss.toFixed(0)} MB; ` +
        `Temporal ${peakRssMb(stack.pids.temporal!).toFixed(0)} MB; FerretDB ${peakRssMb(stack.pids.ferretdb!).toFixed(0)} MB`,
      `cpu over the batch: ${formatCpu(cpu0, cpu1, totalMs)}`,
      `load average (1 min, whole machine): ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end`,
    ];
  } finally {
    await stopStack(stack);
  }
  process.stdout.write(`${report.join('\n')}\n`);
  return 0;
}

runMain(main);
