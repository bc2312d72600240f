import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { batchProgressQuery, batchWorkflowId } from '../src/workflow-api/batch';
import { measureCeiling, type CeilingRun } from './lib/baseline';
import { dialledOnce, historyReport } from './lib/batch-checks';
import { cpuSnapshot, formatCpu } from './lib/cpu';
import { historyTimeline } from './lib/history';
import { formatMachine, machineInfo, versions } from './lib/machine';
import { startBenchStack } from './lib/stack';
import { formatStoreOps, storeOps } from './lib/store-ops';
import { formatTable, ratio, summarize } from './lib/stats';
import { progress, runMain, stopOnSignal, stopStack } from './lib/run';
import { memoryOf } from './lib/worker-process';

/**
 * `npm run bench:batch`: one batch of N rows (default 10,000) against the carrier simulator, two
 * turns per call and no think time, max_concurrency 200. First, on the same Temporal server, the
 * raw ceiling: workflows of two no-op activities, 200 at a time, started and awaited from a client,
 * for up to two minutes. Prints calls completed per second end to end as a ratio to that ceiling,
 * whether every row was dialled exactly once, the activities and workflow tasks per call (from the
 * histories of a random sample of the batch's call workflows, beside the ceiling's), time to first
 * dial, the dial delay behind the window, peak RSS and each process's CPU share. Figures are
 * printed, never asserted. `--rows 500` for a quick run.
 */

const CALLEE = '+14155550111';

function options() {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '10000' },
      concurrency: { type: 'string', default: '200' },
      'dials-per-second': { type: 'string', default: '1000' },
      // Default: 0.6 s a row, at least 30 minutes (a 10,000-row batch on the 2-core machine may take over an hour).
      'timeout-s': { type: 'string' },
      // The ceiling: at most this many workflows (as many as rows unless given; 0 skips it), started for at most --ceiling-s.
      ceiling: { type: 'string' },
      'ceiling-s': { type: 'string', default: '120' },
      'ceiling-concurrency': { type: 'string', default: '200' },
      sample: { type: 'string', default: '20' },
      // The call worker as its own process, as deployed; by default it shares this process with the API, the simulator and the model.
      'worker-process': { type: 'boolean', default: false },
      // A file to write the batch workflow's history to, one line an event with its time (where its tasks waited).
      timeline: { type: 'string' },
    },
  });
  const rows = Number(values.rows);
  const concurrency = Number(values.concurrency);
  const dps = Number(values['dials-per-second']);
  const ceiling = Number(values.ceiling ?? rows);
  const ceilingConcurrency = Number(values['ceiling-concurrency']);
  const ceilingWindowMs = Number(values['ceiling-s']) * 1000;
  const sampleSize = Number(values.sample);
  if (!Number.isInteger(rows) || rows < 1 || rows > 100_000) throw new Error('--rows must be an integer in 1..100000');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) throw new Error('--concurrency must be an integer in 1..1000');
  if (!Number.isInteger(ceiling) || ceiling < 0 || ceiling > 100_000) throw new Error('--ceiling must be an integer in 0..100000');
  if (!Number.isInteger(ceilingConcurrency) || ceilingConcurrency < 1 || ceilingConcurrency > 1000) throw new Error('--ceiling-concurrency must be an integer in 1..1000');
  if (!Number.isFinite(ceilingWindowMs) || ceilingWindowMs < 1000) throw new Error('--ceiling-s must be at least 1');
  if (!Number.isInteger(sampleSize) || sampleSize < 1 || sampleSize > 1000) throw new Error('--sample must be an integer in 1..1000');
  const timeoutS = Number(values['timeout-s'] ?? Math.max(1800, Math.ceil(rows * 0.6)));
  if (!Number.isFinite(timeoutS) || timeoutS < 10) throw new Error('--timeout-s must be at least 10');
  return { rows, concurrency, dps, timeoutMs: timeoutS * 1000, ceiling, ceilingConcurrency, ceilingWindowMs, sampleSize, workerProcess: values['worker-process'], timeline: values.timeline };
}

const perSecond = (n: number, ms: number) => n / (ms / 1000);

async function main(): Promise<number> {
  const opts = options();
  // The batch's pace limit is not what is measured here: the window is.
  process.env.BATCH_DIALS_PER_SECOND = String(opts.dps);
  const loadAtStart = loadavg()[0]!;
  const stack = await startBenchStack(progress, { workerProcess: opts.workerProcess });
  stopOnSignal(stack);
  let report: string[];
  try {
    const [machine, vers] = await Promise.all([machineInfo(), versions(stack.temporalBinary, stack.config, stack.endpoints.mongoUri)]);
    const { store, pids } = stack;

    // The ceiling first, on a fresh server: the batch's calls then run on a server that holds its histories.
    let ceiling: CeilingRun | null = null;
    const cpuC0 = cpuSnapshot(pids);
    const tc0 = performance.now();
    if (opts.ceiling > 0) {
      progress(`ceiling: up to ${opts.ceiling} workflows of two no-op activities for up to ${opts.ceilingWindowMs / 1000} s, ${opts.ceilingConcurrency} at a time`);
      ceiling = await measureCeiling(stack.temporal.client, stack.baseline.taskQueue, { total: opts.ceiling, concurrency: opts.ceilingConcurrency, windowMs: opts.ceilingWindowMs });
      progress(`ceiling: ${ceiling.inWindow} completed in ${(ceiling.windowMs / 1000).toFixed(1)} s (${ceiling.completed - ceiling.inWindow} more after the window)`);
    }
    const cpuC1 = cpuSnapshot(pids);
    const ceilingMs = performance.now() - tc0;

    // Two turns per call: the answer turn, then one line that ends it. No think time.
    stack.simulator.scriptNumber(CALLEE, { answer: 'human', utterances: ['Okay, bye now.'], speechDelayMs: 0 });
    const callData = Array.from({ length: opts.rows }, (_, i) => ({ phone_number: CALLEE, row: i }));

    const cpu0 = cpuSnapshot(pids);
    const ops0 = await storeOps(stack.db.client);
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
    let finished = false;
    for (;;) {
      const doc = await stack.db.collections.batches.findOne({ _id: batchId });
      if ((finished = doc?.status === 'completed')) break;
      // Out of time: the figures so far are still reported, and say the batch did not finish.
      if (performance.now() - t0 > opts.timeoutMs) break;
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        const p = await handle.query(batchProgressQuery).catch(() => null);
        if (p) progress(`done ${p.done}/${p.totalRows}, live ${p.live}, ${p.callsPerSecond} calls/s, run ${p.run}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const totalMs = performance.now() - t0;
    const cpu1 = cpuSnapshot(pids);
    const ops1 = await storeOps(stack.db.client);
    const final = await handle.query(batchProgressQuery);
    progress(`reading the histories of ${opts.sampleSize} random call workflows and of the batch workflow`);
    // Rows whose call has written its final record: the whole batch, unless it ran out of time.
    const doneRows = (await stack.db.collections.calls.find({ batch_id: batchId, completed: true }, { projection: { batch_row: 1 } }).toArray()).map((d) => d.batch_row ?? -1);
    if (opts.timeline) await writeFile(opts.timeline, `${(await historyTimeline(stack.temporal.client, batchWorkflowId(batchId), 100_000)).join('\n')}\n`);
    const histories = await historyReport(stack.temporal.client, { batchId, rows: opts.rows, doneRows, ceilingIds: ceiling?.workflowIds ?? [], k: opts.sampleSize });
    const callsPerSecond = perSecond(final.done, totalMs);
    const ceilingPerSecond = ceiling ? perSecond(ceiling.inWindow, ceiling.windowMs) : NaN;

    const sims = [...stack.simulator.calls.values()].filter((c) => c.req.to === CALLEE);
    const dials = sims.map((c) => c.createdAt.getTime()).sort((a, b) => a - b);
    const ends = sims.map((c) => (c.endedAt ?? new Date()).getTime()).sort((a, b) => a - b);
    // The k-th dial after the first window could have happened once the k-th call had ended.
    const behind: number[] = [];
    for (let k = 0; k + opts.concurrency < dials.length; k += 1) behind.push(Math.max(0, dials[k + opts.concurrency]! - ends[k]!));
    const peakRssMb = (pid: number | undefined) => (pid === undefined ? NaN : (memoryOf(pid)?.peakRssMb ?? NaN));
    const durations = sims.map((c) => (c.endedAt ?? new Date()).getTime() - c.createdAt.getTime());
    const nodeRss = process.resourceUsage().maxRSS / 1024;

    report = [
      '',
      `Switchboard batch throughput: ${opts.rows} rows, max_concurrency ${opts.concurrency}, 2 turns per call, no think time,` +
        ` simulated carrier, offline model, store ${store}, call worker ${opts.workerProcess ? 'in its own process' : "in the bench's process"}`,
      ceiling
        ? `ceiling (same run, same Temporal server, measured first): workflows of two no-op activities, ${Math.min(opts.ceiling, opts.ceilingConcurrency)} at a time,` +
          ` each started and awaited from a client, up to ${opts.ceiling} of them for up to ${opts.ceilingWindowMs / 1000} s (completions inside that window count);` +
          ` a worker in the bench's process with the call worker's 200 activity slots. Neither figure excludes its workers' first (cold) workflow tasks`
        : 'ceiling: not measured (--ceiling 0), so no ratio',
      formatMachine(machine, vers),
      '',
      ...(finished ? [] : [`BATCH NOT FINISHED within --timeout-s ${opts.timeoutMs / 1000}: ${final.done} of ${opts.rows} rows done; the figures below are of those`]),
      `calls completed end to end:   ${final.done} in ${(totalMs / 1000).toFixed(1)} s = ${callsPerSecond.toFixed(2)} calls/s`,
      ...(ceiling
        ? [
            `raw ceiling:                  ${ceiling.inWindow} in ${(ceiling.windowMs / 1000).toFixed(1)} s = ${ceilingPerSecond.toFixed(2)} workflows/s` +
              ` (${ceiling.started} started, ${ceiling.completed - ceiling.inWindow} completed after the window)` +
              `${ceiling.failed > 0 ? `; ${ceiling.failed} failed: ${ceiling.firstError}` : ''}`,
            `batch calls/s / ceiling:      ${ratio(callsPerSecond, ceilingPerSecond)} (goal: 0.5x or more)`,
          ]
        : []),
      dialledOnce(stack.simulator, batchId, opts.rows),
      `POST /v1/batches answered in: ${acceptedMs.toFixed(0)} ms`,
      `time to first dial:           ${dials.length > 0 ? dials[0]! - wall0 : NaN} ms after the POST was sent`,
      `dials seen by the carrier:    ${sims.length} (rows ${opts.rows}); batch runs (continue-as-new): ${final.run}`,
      `outcomes:                     ${JSON.stringify(final.queueStatuses)} ${JSON.stringify(final.statuses)}`,
      '',
      ...histories,
      '',
      formatTable([
        // k-th call hung up -> (k + max_concurrency)-th dial: how long a slot freed by a call stays empty
        // (includes the call's final record, its done signal and the next child's start).
        ['dial delay behind the window (slot free -> next dial)', summarize(behind)],
        ['call on the line (dial -> hang-up)', summarize(durations)],
      ]),
      '',
      `peak RSS (whole run, ceiling included): node (API + ${opts.workerProcess ? `simulator + model) ${nodeRss.toFixed(0)} MB; worker ${peakRssMb(pids.worker).toFixed(0)} MB` : `worker + simulator + model, one process) ${nodeRss.toFixed(0)} MB`}; ` +
        `Temporal ${peakRssMb(pids.temporal).toFixed(0)} MB; ${store} ${peakRssMb(pids[store]).toFixed(0)} MB`,
      ...(ceiling ? [`cpu over the ceiling (and its drain): ${formatCpu(cpuC0, cpuC1, ceilingMs)}`] : []),
      `cpu over the batch: ${formatCpu(cpu0, cpu1, totalMs)}`,
      formatStoreOps(ops0, ops1, final.done),
      `load average (1 min, whole machine): ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end`,
    ];
  } finally {
    await stopStack(stack);
  }
  process.stdout.write(`${report.join('\n')}\n`);
  return 0;
}

runMain(main);
