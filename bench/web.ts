import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { createAgentClient } from '../web/agent-client.js';
import { measureUpdates } from './lib/baseline';
import { startBenchStack, type BenchStack } from './lib/stack';
import { formatTable, ratio, summarize, type Summary } from './lib/stats';
import { progress, runMain, stopOnSignal, stopStack } from './lib/run';
import { memoryOf } from './lib/worker-process';

/**
 * `npm run bench:web`: N browser sessions at once (web/agent-client.js over WebSockets, from this
 * process), each exchanging text turns with a web agent through the gateway and webCallWorkflow.
 * Turn overhead = the client's send -> reply time minus the model's own time (the turn's
 * performance event), next to raw Temporal update round trips measured in the same run. Figures
 * are printed, never asserted.
 */

function options() {
  const { values } = parseArgs({ options: { sessions: { type: 'string', default: '10' }, turns: { type: 'string', default: '10' } } });
  const sessions = Number(values.sessions);
  const turns = Number(values.turns);
  if (!Number.isInteger(sessions) || sessions < 1 || sessions > 500) throw new Error('--sessions must be an integer in 1..500');
  if (!Number.isInteger(turns) || turns < 1 || turns > 200) throw new Error('--turns must be an integer in 1..200');
  return { sessions, turns };
}

async function api(stack: BenchStack, path: string, body: unknown): Promise<any> {
  const res = await fetch(`${stack.apiUrl}${path}`, { method: 'POST', headers: { authorization: stack.apiKey, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * One session: connect, wait for the agent's opening line, `turns` messages back to back, hang up;
 * the time from connecting to the opening line, and the wall time of each turn.
 */
async function session(stack: BenchStack, agentId: string, turns: number): Promise<{ callId: string; openingMs: number; wallMs: number[] }> {
  const { token } = await api(stack, `/v1/agents/${agentId}/authorize`, {});
  const client = createAgentClient({ baseUrl: stack.apiUrl, WebSocket, autoResume: false });
  const opened = performance.now();
  const opening = new Promise<number>((resolve) => client.on('transcript', (line: { role: string }) => line.role === 'assistant' && resolve(performance.now() - opened)));
  const { call_id } = await client.connect(agentId, token);
  const openingMs = await opening;
  const wallMs: number[] = [];
  for (let i = 0; i < turns; i++) {
    const t0 = performance.now();
    await client.send(`Message number ${i + 1}, please.`);
    wallMs.push(performance.now() - t0);
  }
  await client.end();
  return { callId: call_id, openingMs, wallMs };
}

/** The model's time of each turn after the opening, from the call's performance events ("Agent turn N: model X ms"). */
async function modelTimes(stack: BenchStack, callId: string, turns: number): Promise<number[]> {
  for (let i = 0; i < 100; i++) {
    const events = await stack.db.collections.callEvents.find({ call_id: callId, category: 'performance' }).toArray();
    const byTurn = new Map<number, number>();
    for (const e of events) {
      const m = /^Agent turn (\d+): model (\d+) ms$/.exec(e.message);
      if (m) byTurn.set(Number(m[1]), Number(m[2]));
    }
    const times = Array.from({ length: turns }, (_, k) => byTurn.get(k + 2));
    if (times.every((t) => t !== undefined)) return times as number[];
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`model times of ${callId} were not recorded`);
}

async function main(): Promise<number> {
  const opts = options();
  const loadAtStart = loadavg()[0]!;
  const stack = await startBenchStack(progress, { workerProcess: true });
  stopOnSignal(stack);
  try {
    const total = opts.sessions * opts.turns;
    progress(`baseline: ${total} raw updates, ${opts.sessions} workflows side by side`);
    const raw = await measureUpdates(stack.temporal.client, stack.baseline.taskQueue, 'raw', { iterations: total, concurrency: opts.sessions, warmup: 3 });
    const { agent } = await api(stack, '/v1/agents', { prompt: 'Answer briefly.', first_sentence: 'Hello!', max_concurrent_sessions: 100 });
    progress('warm-up: 2 sessions (excluded)');
    await Promise.all([0, 1].map(() => session(stack, agent.agent_id, 3)));
    const rssBefore = memoryOf(stack.pids.worker!);
    progress(`measuring: ${opts.sessions} sessions x ${opts.turns} turns, all at once`);
    const t0 = performance.now();
    const runs = await Promise.all(Array.from({ length: opts.sessions }, () => session(stack, agent.agent_id, opts.turns)));
    const wallTotal = performance.now() - t0;
    const rssAfter = memoryOf(stack.pids.worker!);
    const wall: number[] = [];
    const model: number[] = [];
    for (const run of runs) {
      const times = await modelTimes(stack, run.callId, opts.turns);
      wall.push(...run.wallMs);
      model.push(...times);
    }
    const overhead = wall.map((w, i) => w - model[i]!);
    const rows: Array<[string, Summary]> = [
      ['turn wall (send -> reply, client side)', summarize(wall)],
      ['  model (turn performance event)', summarize(model)],
      ['turn overhead = wall - model', summarize(overhead)],
      ['raw update round trip', summarize(raw)],
      ['opening (connect -> first agent line)', summarize(runs.map((r) => r.openingMs))],
    ];
    const [ov, rw] = [rows[2]![1], rows[3]![1]];
    const mb = (m: { rssMb: number; peakRssMb: number } | null) => (m ? `${m.rssMb.toFixed(0)} MB (peak ${m.peakRssMb.toFixed(0)} MB)` : '-');
    process.stdout.write(
      [
        '',
        `Switchboard web sessions: ${opts.sessions} concurrent sessions x ${opts.turns} text turns over WebSockets (${wall.length} turns in ${(wallTotal / 1000).toFixed(1)} s); baseline: same count and concurrency`,
        '',
        formatTable(rows),
        '',
        `turn overhead / raw update   p50 ${ratio(ov.p50, rw.p50)}   p99 ${ratio(ov.p99, rw.p99)}`,
        `worker RSS: ${mb(rssBefore)} before, ${mb(rssAfter)} after the sessions`,
        `load average (1 min, whole machine): ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end`,
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    await stopStack(stack);
  }
}

runMain(main);
