import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { MAX_TURN_HOLDS } from '../api/routes/turn-hold';
import { measureUpdates } from './lib/baseline';
import { inboundCallId } from '../src/calls/inbound-call';
import { callWorkflowId } from '../src/ids';
import type { SimulatedCall } from '../src/simulator/carrier/simulated-call';
import { runConcurrentCalls, runInboundCalls, scriptLoadCallee, TASK, turnsPerCall, type LoadedCall } from './lib/call-load';
import { cpuSnapshot, formatCpu } from './lib/cpu';
import { historyTimeline } from './lib/history';
import { formatMachine, machineInfo, openFilesLimit, versions } from './lib/machine';
import { startBenchStack } from './lib/stack';
import { formatTable, ratio, summarize, type Summary } from './lib/stats';
import { LATE_MS } from './lib/timing-proxy';
import { memoryOf, type LoopDelay } from './lib/worker-process';
import { progress, runMain, stopOnSignal, stopStack } from './lib/run';

/**
 * `npm run bench:calls`: N simulated calls at once (default 200), each a scripted conversation of
 * five turns with a 3 s pause before each caller line, through the whole stack (API → Temporal →
 * a worker in its own process → Twilio SDK → carrier simulator → offline model → the store).
 * Prints turn overhead against raw Temporal update round trips measured in the same run with the
 * same concurrency and pauses, webhooks answered after the carrier's 15 s, calls not complete,
 * calls completed per second, and the worker process's peak RSS (the kernel's VmHWM). Figures,
 * never assertions. `--calls 20 --pause-ms 0` for a quick run; `--calls 1000` for the target.
 *
 * `--inbound`: the same load as incoming calls. One number is bought through the API
 * (`POST /v1/inbound/purchase`) and its agent set (`POST /v1/inbound/{phone_number}`, the same
 * prompt); then N simulated callers dial it at once (the carrier simulator's placeInboundCall),
 * each saying the same lines. Each call's ID is derived from its CallSid, as the API derives it.
 */

const CALLEE = '+14155550123';

function options() {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '200' },
      lines: { type: 'string', default: '3' },
      'pause-ms': { type: 'string', default: '3000' },
      'baseline-concurrency': { type: 'string' },
      'timeout-s': { type: 'string' },
      json: { type: 'string' },
      inbound: { type: 'boolean', default: false },
    },
  });
  const calls = Number(values.calls);
  const lines = Number(values.lines);
  const pauseMs = Number(values['pause-ms']);
  const baselineConcurrency = Number(values['baseline-concurrency'] ?? calls);
  // Long enough for every call of a run on a saturated 2-core machine (about one call a second).
  const timeoutS = Number(values['timeout-s'] ?? Math.max(300, Math.ceil(calls * 1.5)));
  if (!Number.isInteger(calls) || calls < 1 || calls > 2000) throw new Error('--calls must be an integer in 1..2000');
  if (!Number.isInteger(lines) || lines < 0 || lines > 20) throw new Error('--lines must be an integer in 0..20');
  if (!Number.isInteger(pauseMs) || pauseMs < 0 || pauseMs > 60_000) throw new Error('--pause-ms must be an integer in 0..60000');
  if (!Number.isInteger(baselineConcurrency) || baselineConcurrency < 1 || baselineConcurrency > calls) throw new Error('--baseline-concurrency must be an integer in 1..--calls');
  if (!Number.isFinite(timeoutS) || timeoutS < 10) throw new Error('--timeout-s must be at least 10');
  return { calls, lines, pauseMs, baselineConcurrency, timeoutMs: timeoutS * 1000, json: values.json, inbound: values.inbound === true };
}

const describeError = (err: unknown): string => {
  const parts: string[] = [];
  for (let e: unknown = err; e && parts.length < 4; e = (e as { cause?: unknown }).cause) parts.push(e instanceof Error ? e.message : String(e));
  return parts.join(' <- ');
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
/** Lower concurrencies the baseline is measured at when it fails at the one asked for. */
const BASELINE_FALLBACKS = [200, 50];
// The worker has its own process here, so the bench's own Node process is the API, simulator, model and load.
const cpuLine = (s: string) => s.replace('node (API, worker, simulator, model)', 'bench node (API, simulator, model, load)');

/** One number bought through the API, its agent the load's prompt: what `--inbound`'s callers dial. */
async function inboundNumber(stack: Awaited<ReturnType<typeof startBenchStack>>): Promise<string> {
  const api = async (path: string, body: unknown) => {
    const res = await fetch(`${stack.proxy.url}${path}`, {
      method: 'POST',
      headers: { authorization: stack.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`POST ${path} answered ${res.status}: ${JSON.stringify(json).slice(0, 300)}`);
    return json;
  };
  const bought = await api('/v1/inbound/purchase', { area_code: '415' });
  const phone = String(bought.phone_number);
  await api(`/v1/inbound/${encodeURIComponent(phone)}`, { prompt: TASK });
  return phone;
}

/** How late the worker's event loop ran (every activation, activity and poll of the SDK passes through it). */
const loopDelayLine = (d: LoopDelay | null) =>
  d ? `p50 ${d.p50Ms} ms, p99 ${d.p99Ms} ms, max ${d.maxMs} ms; ${d.secondsOver1s} seconds with a delay over 1 s` : 'not measured';

async function main(): Promise<number> {
  const opts = options();
  const t0 = performance.now();
  const loadAtStart = loadavg()[0]!;
  const stack = await startBenchStack(progress, { workerProcess: true });
  stopOnSignal(stack);
  const phases: Record<string, number> = { setup: performance.now() - t0 };
  let report: string[];
  try {
    const [machine, vers, fileLimit] = await Promise.all([machineInfo(), versions(stack.temporalBinary, stack.config, stack.endpoints.mongoUri), openFilesLimit()]);
    // Each live call holds a few sockets in this process (POST, webhooks in and out, proxy to API).
    if (fileLimit < opts.calls * 8) progress(`warning: open files limit ${fileLimit} may be too low for ${opts.calls} calls (ulimit -n)`);
    let number = CALLEE;
    if (opts.inbound) {
      number = await inboundNumber(stack);
      progress(`inbound: bought ${number} through the API and set its agent`);
    } else {
      scriptLoadCallee(stack, CALLEE, opts.lines, opts.pauseMs);
    }
    const run = (count: number, timeoutMs: number): Promise<LoadedCall[]> =>
      opts.inbound
        ? runInboundCalls(stack, { count, number, lines: opts.lines, pauseMs: opts.pauseMs, timeoutMs })
        : runConcurrentCalls(stack, { count, number, lines: opts.lines, timeoutMs });
    // The simulator's calls of a set of call IDs: found by the call_id in a dialled call's URL, or derived from an incoming call's SID.
    const callIdOfSim = (c: SimulatedCall) => (c.req.inbound ? inboundCallId(c.req.accountSid, c.sid) : (/call_id=([^&]+)/.exec(c.req.url)?.[1] ?? ''));
    const turns = turnsPerCall(opts.lines);
    const workerPid = stack.pids.worker!;
    const { store, pids } = stack;

    // A few calls first: the worker's first workflow tasks pay the sandbox and cache warm-up.
    let t = performance.now();
    progress(`warm-up: 4 ${opts.inbound ? 'incoming ' : ''}calls (excluded)`);
    const warm = await run(4, 120_000 + opts.pauseMs * (opts.lines + 1));
    const warmIds = new Set(warm.map((c) => c.callId));
    const memAfterWarm = memoryOf(workerPid);

    t = performance.now();
    const cpu0 = cpuSnapshot(pids);
    // The same shape as the calls: as many workflows side by side, `turns` updates each, the
    // caller's pause before each. A failed baseline is reported, not fatal: on a loaded 2-core
    // machine one update can take over the baseline's 30 s limit; then it is measured again at a
    // lower concurrency, and the report says so.
    const baselineErrors: string[] = [];
    let baselineConcurrency = opts.baselineConcurrency;
    let raw: number[] = [];
    for (const c of [opts.baselineConcurrency, ...BASELINE_FALLBACKS.filter((f) => f < opts.baselineConcurrency)]) {
      baselineConcurrency = c;
      progress(`baseline: ${c * turns} raw updates over ${c} workflows side by side, ${opts.pauseMs} ms apart`);
      raw = await measureUpdates(stack.temporal.client, stack.baseline.taskQueue, 'raw', { iterations: c * turns, concurrency: c, warmup: 2, pauseMs: opts.pauseMs }).catch(
        (err: unknown) => {
          baselineErrors.push(`at ${c}: ${describeError(err)}`);
          progress(`baseline failed at ${c}: ${describeError(err)}`);
          return [] as number[];
        },
      );
      if (raw.length > 0) break;
    }
    const baselineError = baselineErrors.length > 0 ? baselineErrors.join('; ') : null;
    phases.baseline = performance.now() - t;

    t = performance.now();
    const cpu1 = cpuSnapshot(pids);
    const webhooksBefore = stack.proxy.webhooks;
    progress(`measuring: ${opts.calls} ${opts.inbound ? 'callers dialling in' : 'calls'} at once, ${turns} turns each, ${opts.pauseMs} ms before each caller line`);
    const calls = await run(opts.calls, opts.timeoutMs);
    phases.calls = performance.now() - t;
    const cpu2 = cpuSnapshot(pids);
    const webhooks = stack.proxy.webhooks - webhooksBefore;
    const mem = memoryOf(workerPid);

    const ids = new Set(calls.map((c) => c.callId));
    const holdsOf = (callIds: ReadonlySet<string>) => [...stack.proxy.holdsByCall].filter(([id]) => callIds.has(id)).reduce((n, [, k]) => n + k, 0);
    const samples = stack.proxy.samples.filter((s) => ids.has(s.callId) && !warmIds.has(s.callId));
    const overhead = samples.map((s) => s.wallMs - s.modelMs);
    const closed = calls.filter((c) => c.closedAt !== null);
    const hungUp = calls.filter((c) => c.hungUpAt !== null);
    const lastClosed = Math.max(...closed.map((c) => c.closedAt!));
    const lastHungUp = Math.max(...hungUp.map((c) => c.hungUpAt!));
    const firstPost = Math.min(...calls.map((c) => c.postedAt));
    const problems = calls.filter((c) => c.problem).map((c) => `${c.callId || '(no id)'}: ${c.problem}`);
    // A turn still not ready after the last hold is given up: the API hangs up, and the call ends
    // "complete" without the rest of its conversation. Such a call is not counted as complete here.
    const givenUp = new Set([...ids].filter((id) => stack.proxy.givenUp.has(id)));
    const complete = calls.filter((c) => c.status === 'complete' && !givenUp.has(c.callId)).length;
    // Webhooks of these calls answered after the carrier's wait, or given up on by the carrier.
    const late = stack.proxy.late.filter((w) => ids.has(w.callId) && !warmIds.has(w.callId));
    const lateCalls = new Set(late.map((w) => w.callId)).size;
    const sims = [...stack.simulator.calls.values()].filter((c) => ids.has(callIdOfSim(c)));
    const dropped = sims.filter((c) => c.endedBy === 'carrier').length;
    // Dials the carrier saw for these calls: one each, or something dialled twice. Incoming: the calls refused.
    const dials = sims.length;
    const rejected = sims.filter((c) => c.rejected).length;
    const start = opts.inbound ? 'dial-in' : 'POST';

    const rows: Array<[string, Summary]> = [
      ['turn wall (webhook in -> TwiML out)', summarize(samples.map((s) => s.wallMs))],
      ['  model (Server-Timing model)', summarize(samples.map((s) => s.modelMs))],
      ['turn overhead = wall - model', summarize(overhead)],
      ['raw update round trip (baseline)', summarize(raw)],
      // The answer turn also starts the call (an incoming call's workflow starts in that webhook); the caller turns do not.
      ['  overhead: answer turns (voice)', summarize(samples.filter((s) => s.hook === 'voice').map((s) => s.wallMs - s.modelMs))],
      ['  overhead: caller turns (gather)', summarize(samples.filter((s) => s.hook === 'gather').map((s) => s.wallMs - s.modelMs))],
      [`call: ${start} -> line dropped`, summarize(hungUp.map((c) => c.hungUpAt! - c.postedAt))],
      [`call: ${start} -> workflow closed`, summarize(closed.map((c) => c.closedAt! - c.postedAt))],
    ];
    const [ov, rw] = [rows[2]![1], rows[3]![1]];
    phases.total = performance.now() - t0;
    const perSecond = (n: number, ms: number) => (Number.isFinite(ms) && ms > 0 ? (n / (ms / 1000)).toFixed(2) : '-');
    const mb = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : `${v.toFixed(0)} MB`);

    report = [
      '',
      (opts.inbound
        ? `Switchboard incoming calls: ${opts.calls} simulated callers dialling one number (bought and configured through the API) at once, `
        : `Switchboard calls: ${opts.calls} simulated calls started at once, `) +
        `${turns} turns each (answer, ${opts.lines} caller lines, goodbye),` +
        ` ${opts.pauseMs} ms pause before each caller line; worker in its own process; store ${store}`,
      `baseline (same run, same server, measured first): ${raw.length} raw Temporal updates, ${baselineConcurrency} workflows side by side,` +
        ` ${opts.pauseMs} ms apart${baselineConcurrency < opts.calls ? ` (NOT the calls' concurrency of ${opts.calls}${baselineError ? '' : ', as asked by --baseline-concurrency'})` : ''}`,
      formatMachine(machine, vers),
      `limits    open files ${fileLimit}; call timeout ${seconds(opts.timeoutMs)}; the carrier waits ${LATE_MS / 1000} s for each webhook`,
      '',
      formatTable(rows),
      '',
      `turn overhead / raw update   p50 ${ratio(ov.p50, rw.p50)}   p99 ${ratio(ov.p99, rw.p99)}   (turn overhead p99 ${ov.p99.toFixed(0)} ms, raw update p99 ${rw.p99.toFixed(0)} ms)` +
        `${baselineError ? `   (baseline failed ${baselineError})` : ''}`,
      `late webhooks (answered after the carrier's ${LATE_MS / 1000} s, or given up on): ${late.length} of ${webhooks} webhooks of these calls,` +
        ` in ${lateCalls} calls (${late.filter((w) => w.abandoned).length} abandoned by the carrier; those turns are timed at the API's answer);` +
        ` ${dropped} lines dropped by the carrier`,
      `calls not complete: ${opts.calls - complete} of ${opts.calls} (complete: queue_status complete, and no turn given up after ${MAX_TURN_HOLDS} holds: ${givenUp.size} were); ${closed.length} workflows closed, ${hungUp.length} lines dropped; ` +
        (opts.inbound ? `${dials} incoming calls at the carrier, ${rejected} rejected` : `${dials} dials`),
      `calls completed per second: ${perSecond(closed.length, lastClosed - firstPost)} (workflow closed, final record written);` +
        ` ${perSecond(hungUp.length, lastHungUp - firstPost)} (line dropped)`,
      `worker process peak RSS (VmHWM): ${mb(mem?.peakRssMb)}; RSS at the end ${mb(mem?.rssMb)}; after warm-up ${mb(memAfterWarm?.rssMb)}`,
      `worker main-thread event-loop delay, whole run: ${loopDelayLine(stack.workerLoopDelay())}`,
      `cpu, baseline: ${cpuLine(formatCpu(cpu0, cpu1, phases.baseline))}`,
      `cpu, calls:    ${cpuLine(formatCpu(cpu1, cpu2, phases.calls))}`,
      `turn webhooks answered with a hold (reply not ready in 10 s): ${stack.proxy.holds} (${holdsOf(ids)} of the measured calls', in ${[...ids].filter((id) => stack.proxy.holdsByCall.has(id)).length} calls; ${holdsOf(warmIds)} of the warm-up's);` +
        ` ${samples.filter((s) => s.held).length} held turns, timed from their first webhook to the reply`,
      `untimed turn webhooks: ${stack.proxy.untimed}; call problems: ${problems.length}`,
      ...problems.slice(0, 5).map((p) => `  ! ${p}`),
      `load average (1 min, whole machine): ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end`,
      `total wall time ${seconds(phases.total)} (setup ${seconds(phases.setup!)}, baseline ${seconds(phases.baseline)}, calls ${seconds(phases.calls)})`,
    ];
    // The slowest held turn's call, event by event: where its reply waited.
    const slowestHeld = samples.filter((s) => s.held).sort((a, b) => b.wallMs - a.wallMs)[0];
    if (slowestHeld) {
      const lines = await historyTimeline(stack.temporal.client, callWorkflowId(slowestHeld.callId)).catch((err: unknown) => [`  (history not read: ${String(err)})`]);
      report.push(`the slowest held turn (${slowestHeld.hook}, ${(slowestHeld.wallMs / 1000).toFixed(1)} s), its call's history:`, ...lines);
    }
    // A call whose turn was given up, event by event: where that turn waited.
    const [firstGivenUp] = givenUp;
    if (firstGivenUp) {
      const lines = await historyTimeline(stack.temporal.client, callWorkflowId(firstGivenUp)).catch((err: unknown) => [`  (history not read: ${String(err)})`]);
      report.push(`a call whose turn was given up after ${MAX_TURN_HOLDS} holds, its history:`, ...lines);
    }
    if (opts.json) {
      const figures = Object.fromEntries(rows.map(([name, s]) => [name.trim(), s]));
      const json = {
        at: new Date().toISOString(), options: opts, machine, versions: vers, figures, baselineConcurrency, baselineError,
        complete, notComplete: opts.calls - complete, closed: closed.length, rejected, lateWebhooks: late.length, lateCalls, worker: mem, problems, phasesMs: phases,
      };
      await writeFile(opts.json, `${JSON.stringify(json, null, 2)}\n`);
      report.push(`figures written to ${opts.json}`);
    }
  } finally {
    await stopStack(stack);
  }
  process.stdout.write(`${report.join('\n')}\n`);
  return 0;
}

// After the stack stops, a retry timer of a closed gRPC channel can throw; the figures matter more.
process.on('uncaughtException', (err) => process.stderr.write(`bench: ignored after shutdown: ${describeError(err)}\n`));

runMain(main);
