import { performance } from 'node:perf_hooks';
import { machineInfo } from './lib/machine';
import { summarize } from './lib/stats';
import type { Message } from '../src/pathway/prompts';
import { initialState } from '../src/pathway/routing';
import { runPathwayTurn, type EnginePorts, type TurnContext } from '../src/pathway/turn';
import type { PathwayEdge, PathwayGraph, PathwayNode } from '../src/pathway/types';
import { validateGraph } from '../src/pathway/validate';

/**
 * Pathway engine decisions per second on a 200-node pathway, with the model's time excluded:
 * the model is an instant fake, and time spent inside it is subtracted anyway. One decision = one
 * engine turn (deciding node, extraction, route, the target's dialogue, webhook resume when
 * the target is a Webhook node). Baseline: a JSON round trip of the turn's input, which is what
 * Temporal's payload converter does for every activity call.
 *   npm run bench:pathway [-- --turns 20000]
 */
const NODES = 200;
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const TURNS = arg('turns', 20_000);

function buildGraph(): PathwayGraph {
  const nodes: PathwayNode[] = [];
  const edges: PathwayEdge[] = [];
  for (let i = 0; i < NODES; i++) {
    const id = `n${i}`;
    const webhook = i % 25 === 12;
    nodes.push({
      id,
      type: webhook ? 'Webhook' : i % 40 === 39 ? 'Knowledge Base' : 'Default',
      data: {
        name: `Node ${i}`,
        ...(i === 0 ? { isStart: true } : {}),
        ...(i % 2 === 0 ? { prompt: `Ask the caller about topic ${i} and {{lastUserMessage}}.` } : { text: `Static line ${i} for {{name}}.` }),
        ...(i % 5 === 0 ? { condition: `The caller confirmed topic ${i}.` } : {}),
        ...(i % 10 === 0 ? { extractVars: [['name', 'string', 'Name'], ['count', 'integer', 'How many']] as [string, string, string][] } : {}),
        ...(i % 50 === 7 ? { isGlobal: true, globalLabel: `caller asks about subject ${i}` } : {}),
        ...(i % 40 === 39 ? { kb: 'Opening hours: 9-5.\nAddress: 1 Main St.' } : {}),
        ...(webhook
          ? {
              url: 'https://example.invalid/hook',
              body: '{"name": "{{name}}"}',
              responseData: [{ name: 'ok', data: '$.ok' }],
              responsePathways: [['ok', '==', 'true', { id: `n${(i + 3) % NODES}` }]] as PathwayNode['data']['responsePathways'],
            }
          : {}),
      },
    });
    for (const step of [1, 2, 7]) edges.push({ id: `e${i}-${step}`, source: id, target: `n${(i + step) % NODES}`, label: `the caller talks about topic ${(i + step) % NODES}` });
  }
  const checked = validateGraph(nodes, edges);
  if (!checked.ok) throw new Error(checked.errors.join('\n'));
  return checked.graph;
}

/** Deterministic answers (a fixed-seed LCG), so every run takes the same path. */
function fakeModel(): EnginePorts & { ms: number } {
  let seed = 42;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const port = {
    ms: 0,
    async structured(_m: Message[], name: string, schema: Record<string, unknown>) {
      const t = performance.now();
      const props = schema.properties as Record<string, { enum?: string[] }>;
      const value = name === 'pathway_decision'
        ? { route: props.route!.enum![Math.floor(next() * props.route!.enum!.length)] }
        : { name: 'Ada', count: 3 };
      port.ms += performance.now() - t;
      return value;
    },
    async speak() {
      const t = performance.now();
      port.ms += performance.now() - t;
      return 'Sure.';
    },
  };
  return port;
}

async function main() {
  const graph = buildGraph();
  const model = fakeModel();
  const transcript: TurnContext['transcript'] = [];
  let state = initialState({ name: 'Ada' });
  const engineMs: number[] = [];
  const baselineMs: number[] = [];
  for (let turn = 0; turn < TURNS + 500; turn++) {
    transcript.push({ user: 'user', text: `message ${turn} about topic ${turn % NODES}` });
    if (transcript.length > 20) transcript.splice(0, transcript.length - 20);
    // Keep the state the size a real call's is: the last 50 log entries.
    if (state.logs.length > 50) state = { ...state, logs: state.logs.slice(-50) };
    const ctx: TurnContext = { graph, startNodeId: null, state, transcript, callVariables: { call_id: 'bench' } };
    const b0 = performance.now();
    JSON.parse(JSON.stringify({ state, transcript }));
    const b1 = performance.now();
    model.ms = 0;
    const t0 = performance.now();
    let out = await runPathwayTurn(ctx, model);
    if (out.action === 'webhook') out = await runPathwayTurn({ ...ctx, state: out.state, webhookOutcome: { ok: true, status: 200, variables: { ok: true }, error: null } }, model);
    const t1 = performance.now();
    state = out.state;
    transcript.push({ user: 'assistant', text: out.say.join(' ') });
    // The first 500 turns warm the JIT and are not counted.
    if (turn >= 500) {
      engineMs.push(t1 - t0 - model.ms);
      baselineMs.push(b1 - b0);
    }
  }
  const s = summarize(engineMs);
  const base = summarize(baselineMs);
  const total = engineMs.reduce((a, b) => a + b, 0);
  const machine = await machineInfo();
  const fmt = (x: number) => `${(x * 1000).toFixed(1)} µs`;
  console.log(`Pathway engine benchmark (${NODES} nodes, ${graph.edges.length} edges, ${TURNS} decisions, model time excluded)`);
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}; node ${process.version}`);
  console.log(`decisions/s (engine only): ${Math.round(TURNS / (total / 1000)).toLocaleString('en-US')}`);
  console.log(`per decision: p50 ${fmt(s.p50)}, p90 ${fmt(s.p90)}, p99 ${fmt(s.p99)}, max ${fmt(s.max)}`);
  console.log(`baseline (JSON round trip of the turn input): p50 ${fmt(base.p50)}, p99 ${fmt(base.p99)}; engine/baseline p50 ${(s.p50 / base.p50).toFixed(2)}x, p99 ${(s.p99 / base.p99).toFixed(2)}x`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
