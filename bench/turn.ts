import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { measureUpdates } from './lib/baseline';
import { callWorkflowId } from '../src/ids';
import { updateTimings, type UpdateTiming } from './lib/history';
import { runCalls, scriptCallee, stillOpen, TURNS_PER_CALL } from './lib/calls';
import { cpuSnapshot, formatCpu } from './lib/cpu';
import { formatMachine, machineInfo, versions } from './lib/machine';
import { startBenchStack } from './lib/stack';
import { formatTable, ratio, summarize, type Summary } from './lib/stats';
import type { TurnSample } from './lib/timing-proxy';
import { progress, runMain, stopOnSignal, stopStack } from './lib/run';

/**
 * `npm run bench:turn`: turn overhead, i.e. webhook arrival → TwiML reply minus the model's own
 * time, over real calls through the whole stack, next to raw Temporal update round trips measured
 * in the same run on the same server. Figures are printed, never asserted.
 */

const BUDGET_MS = 140_000; // after setup; no call starts later, and none is waited for past it + 15 s: ~3 minutes in all
const BASELINE_WARMUP = 5; // per workflow; the first updates pay workflow start and cache fill

function options() {
  const { values } = parseArgs({
    options: {
      turns: { type: 'string', default: '600' },
      concurrency: { type: 'string', default: '4' },
      json: { type: 'string' },
      // The call worker as its own process, as deployed (docker-compose: api and worker apart);
      // by default it shares this process's event loop with the API, the simulator and the model.
      'worker-process': { type: 'boolean', default: false },
      // How long the callee's phone rings before it answers. 0 (the default, as in earlier runs): the
      // answer's webhook can arrive while the dial's local activity is still finishing, and the
      // answer turn then waits for it; a real phone rings for seconds.
      'ring-ms': { type: 'string', default: '0' },
    },
  });
  const turns = Number(values.turns);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(turns) || turns < 1 || turns > 20_000) throw new Error('--turns must be an integer in 1..20000');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new Error('--concurrency must be an integer in 1..64');
  const ringMs = Number(values['ring-ms']);
  if (!Number.isInteger(ringMs) || ringMs < 0 || ringMs > 60_000) throw new Error('--ring-ms must be an integer in 0..60000');
  return { turns, concurrency, ringMs, json: values.json, workerProcess: values['worker-process'] };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const overhead = (s: TurnSample) => s.wallMs - s.modelMs;

async function main(): Promise<number> {
  const opts = options();
  const t0 = performance.now();
  // Everything here shares the machine with whatever else runs on it; the load average says how much.
  const loadAtStart = loadavg()[0]!;
  const stack = await startBenchStack(progress, { workerProcess: opts.workerProcess });
  stopOnSignal(stack);
  const phases: Record<string, number> = { setup: performance.now() - t0 };
  let report: string[];
  try {
    const deadline = Date.now() + BUDGET_MS;
    const [machine, vers] = await Promise.all([machineInfo(), versions(stack.temporalBinary, stack.config, stack.endpoints.mongoUri)]);
    const { pids } = stack;
    scriptCallee(stack, opts.ringMs);

    // Baselines first, on a quiet server: the floor, before the calls leave write-behind work running.
    let t = performance.now();
    const cpu0 = cpuSnapshot(pids);
    const client = stack.temporal.client;
    const shape = { iterations: opts.turns, concurrency: opts.concurrency, warmup: BASELINE_WARMUP };
    progress(`baseline: ${opts.turns} raw updates, ${opts.concurrency} workflows side by side`);
    const baselineIds = { raw: [] as string[], local: [] as string[] };
    const raw = await measureUpdates(client, stack.baseline.taskQueue, 'raw', { ...shape, workflowIds: baselineIds.raw });
    progress(`baseline: ${opts.turns} updates awaiting one no-op activity`);
    const withActivity = await measureUpdates(client, stack.baseline.taskQueue, 'activity', shape);
    progress(`baseline: ${opts.turns} updates awaiting one no-op local activity`);
    const withLocal = await measureUpdates(client, stack.baseline.taskQueue, 'local', { ...shape, workflowIds: baselineIds.local });
    phases.baselines = performance.now() - t;

    t = performance.now();
    const cpu1 = cpuSnapshot(pids);
    progress(`warm-up: ${opts.concurrency} calls (excluded)`);
    const warm = await runCalls(stack, opts.concurrency, opts.concurrency, deadline);
    const calls = Math.ceil(opts.turns / TURNS_PER_CALL);
    progress(`measuring: ${calls} calls x ${TURNS_PER_CALL} turns, ${opts.concurrency} at a time`);
    const measured = await runCalls(stack, calls, opts.concurrency, deadline);
    phases.calls = performance.now() - t;
    const cpu2 = cpuSnapshot(pids);
    const ids = new Set(measured.callIds);
    const turns = stack.proxy.samples.filter((s) => ids.has(s.callId));
    const allCalls = [...warm.callIds, ...measured.callIds];
    const open = await stillOpen(stack, allCalls).catch(() => NaN);
    const problems = [...warm.problems, ...measured.problems];
    // Each measured turn's workflow tasks (the update's acceptance to its reply), and where the
    // server's side of it went, beside the same for the baselines' updates (their warm-up included).
    const timingsOf = async (workflowIds: string[]) => {
      const all: UpdateTiming[] = [];
      for (const id of workflowIds) all.push(...(await updateTimings(client, id).catch(() => [])));
      return all;
    };
    const turnTasks = await timingsOf(measured.callIds.map(callWorkflowId));
    const [rawTasks, localTasks] = [await timingsOf(baselineIds.raw), await timingsOf(baselineIds.local)];
    const extraTasks = turnTasks.map((t) => t.extraTasks);
    const byExtra = (n: number) => extraTasks.filter((x) => (n < 2 ? x === n : x >= n)).length;
    const taskRows: Array<[string, Summary]> = [
      ['turn: workflow task pickup (scheduled -> started)', summarize(turnTasks.map((t) => t.pickupMs))],
      ['turn: worker (started -> completed, model included)', summarize(turnTasks.map((t) => t.workerMs))],
      ['raw update: workflow task pickup', summarize(rawTasks.map((t) => t.pickupMs))],
      ['raw update: worker', summarize(rawTasks.map((t) => t.workerMs))],
      ['update + local act.: workflow task pickup', summarize(localTasks.map((t) => t.pickupMs))],
      ['update + local act.: worker', summarize(localTasks.map((t) => t.workerMs))],
    ];

    const rows: Array<[string, Summary]> = [
      ['turn wall (webhook in -> TwiML out)', summarize(turns.map((s) => s.wallMs))],
      ['  model (Server-Timing model)', summarize(turns.map((s) => s.modelMs))],
      ['turn overhead = wall - model', summarize(turns.map(overhead))],
      ['  answer turns (voice)', summarize(turns.filter((s) => s.hook === 'voice').map(overhead))],
      ['  caller turns (gather)', summarize(turns.filter((s) => s.hook === 'gather').map(overhead))],
      ['  in handler (Server-Timing turn - model)', summarize(turns.map((s) => s.handlerMs - s.modelMs))],
      ['raw update round trip', summarize(raw)],
      ['update + 1 no-op activity', summarize(withActivity)],
      ['update + 1 no-op local activity', summarize(withLocal)],
    ];
    const [ov, rw, act, loc] = [rows[2]![1], rows[6]![1], rows[7]![1], rows[8]![1]];
    // Overhead p50 over the run in thirds, in completion order: does it drift as the read model grows?
    const third = Math.ceil(turns.length / 3);
    const drift = [0, 1, 2].map((i) => summarize(turns.slice(i * third, (i + 1) * third).map(overhead)).p50);
    phases.total = performance.now() - t0;

    report = [
      '',
      `Switchboard turn overhead: ${turns.length} turns over ${measured.callIds.length} calls, ${opts.concurrency} concurrent,` +
        ` no caller think time, the callee's phone ringing ${opts.ringMs} ms (warm-up ${warm.callIds.length} calls excluded); baselines: same count and concurrency`,
      `call worker: ${opts.workerProcess ? 'its own process' : 'in this process, beside the API, the carrier simulator and the offline model'}`,
      formatMachine(machine, vers),
      '',
      formatTable(rows),
      '',
      `turn overhead / raw update          p50 ${ratio(ov.p50, rw.p50)}   p99 ${ratio(ov.p99, rw.p99)}`,
      `turn overhead / update + activity   p50 ${ratio(ov.p50, act.p50)}   p99 ${ratio(ov.p99, act.p99)}`,
      `turn overhead / update + local act. p50 ${ratio(ov.p50, loc.p50)}   p99 ${ratio(ov.p99, loc.p99)}`,
      `turn overhead p50 by thirds of the run: ${drift.map((d) => d.toFixed(1)).join(' / ')} ms`,
      `call workflows still open when the last line dropped: ${open} of ${allCalls.length} (read-model write-behind backlog)`,
      `turns by workflow tasks from acceptance to reply: 1 task ${byExtra(0)}, 2 tasks ${byExtra(1)}, 3 or more ${byExtra(2)} (of ${extraTasks.length})`,
      '',
      'where the server saw the time go, from the workflows\' histories (ms):',
      formatTable(taskRows),
      '',
      `cpu, baselines: ${formatCpu(cpu0, cpu1, phases.baselines)}`,
      `cpu, calls:     ${formatCpu(cpu1, cpu2, phases.calls)}`,
      `turn webhooks answered with a hold (reply not ready in 10 s): ${stack.proxy.holds}; ${turns.filter((s) => s.held).length} held turns, timed from their first webhook to the reply`,
      `untimed turn webhooks: ${stack.proxy.untimed}; call problems: ${problems.length}`,
      ...problems.slice(0, 3).map((p) => `  ! ${p}`),
      `load average (1 min, whole machine): ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end`,
      `total wall time ${seconds(phases.total)} (setup ${seconds(phases.setup!)}, baselines ${seconds(phases.baselines)}, calls ${seconds(phases.calls)})`,
    ];
    if (opts.json) {
      const figures = Object.fromEntries(rows.map(([name, s]) => [name.trim(), s]));
      const json = { at: new Date().toISOString(), options: opts, machine, versions: vers, figures, overheadP50ByThird: drift, loadAverage: [loadAtStart, loadavg()[0]], openWorkflows: open, phasesMs: phases, problems };
      await writeFile(opts.json, `${JSON.stringify(json, null, 2)}\n`);
      report.push(`figures written to ${opts.json}`);
    }
  } finally {
    await stopStack(stack);
  }
  // After the stop, so the SDK core's own log lines (it writes to stdout) cannot split the report.
  process.stdout.write(`${report.join('\n')}\n`);
  return 0;
}

runMain(main);
