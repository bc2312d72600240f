import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Message } from '../../src/pathway/prompts';
import { PathwayGraphError } from '../../src/pathway/graph-error';
import { initialState } from '../../src/pathway/routing';
import { runPathwayTurn, type EnginePorts, type TurnContext, type TurnOutcome } from '../../src/pathway/turn';
import type { PathwayGraph } from '../../src/pathway/types';
import { validateGraph } from '../../src/pathway/validate';

const raw = JSON.parse(readFileSync(join(__dirname, '../../examples/restaurant-reservation.json'), 'utf8')) as { nodes: unknown[]; edges: unknown[] };
const checked = validateGraph(raw.nodes, raw.edges);
if (!checked.ok) throw new Error(checked.errors.join('\n'));
const graph: PathwayGraph = checked.graph;

/** A fake model: decisions and extractions come from queues keyed by the node the prompt names. */
class FakeModel implements EnginePorts {
  readonly calls: Array<{ kind: string; node: string; messages: Message[]; schema?: Record<string, unknown>; temperature: number | null }> = [];
  constructor(private readonly answers: Record<string, unknown[]> = {}) {}
  private nodeOf(messages: Message[]) {
    return /at node "([^"]+)"/.exec(messages[0]?.content ?? '')?.[1] ?? '?';
  }
  async structured(messages: Message[], name: string, schema: Record<string, unknown>, temperature: number | null) {
    const node = this.nodeOf(messages);
    this.calls.push({ kind: name, node, messages, schema, temperature });
    return this.answers[`${name}:${node}`]?.shift() ?? {};
  }
  async speak(messages: Message[], temperature: number | null) {
    const node = this.nodeOf(messages);
    this.calls.push({ kind: 'speak', node, messages, temperature });
    return `(${node} speaks)`;
  }
}

interface Line { user: string; text: string }

/** Drives the engine like the workflow does: one turn per caller line, webhooks resumed with a canned outcome. */
async function converse(model: FakeModel, lines: string[], webhook?: { ok: boolean; status: number; variables: Record<string, unknown> }, startNodeId: string | null = null) {
  const transcript: Line[] = [];
  let state = initialState();
  const outcomes: TurnOutcome[] = [];
  const step = async (ctx: Omit<TurnContext, 'graph' | 'startNodeId' | 'transcript' | 'callVariables'>) => {
    let out = await runPathwayTurn({ graph, startNodeId, transcript, callVariables: { call_id: 'c1' }, ...ctx }, model);
    const said = [...out.say];
    while (out.action === 'webhook') {
      const w = webhook ?? { ok: false, status: 500, variables: {} };
      out = await runPathwayTurn({ graph, startNodeId, transcript, callVariables: {}, state: out.state, webhookOutcome: { ...w, error: w.ok ? null : 'HTTP 500' } }, model);
      said.push(...out.say);
    }
    state = out.state;
    for (const s of said) transcript.push({ user: 'assistant', text: s });
    outcomes.push({ ...out, say: said });
  };
  await step({ state });
  for (const line of lines) {
    transcript.push({ user: 'user', text: line });
    await step({ state });
  }
  return { outcomes, state, transcript };
}

describe('pathway engine', () => {
  it('the start node speaks its static text without the model', async () => {
    const model = new FakeModel();
    const { outcomes, state } = await converse(model, []);
    expect(outcomes[0]!.say).toEqual(['Hello, thanks for calling Bella Vista. Would you like to make a reservation?']);
    expect(outcomes[0]!.node).toEqual({ id: 'start', name: 'Start' });
    expect(model.calls).toHaveLength(0);
    expect(state.logs[0]).toMatchObject({ kind: 'start', to: { id: 'start' } });
  });

  it('honours start_node_id', async () => {
    const { outcomes } = await converse(new FakeModel(), [], undefined, 'find_new_time');
    expect(outcomes[0]!.node.id).toBe('find_new_time');
    expect(outcomes[0]!.say).toEqual(['(find_new_time speaks)']);
  });

  it('the current node decides by edge label and the target speaks', async () => {
    const model = new FakeModel({ 'pathway_decision:start': [{ route: 'collect_details' }] });
    const { outcomes, state } = await converse(model, ['I would like a table']);
    expect(outcomes[1]!.say).toEqual(['(collect_details speaks)']);
    const decision = model.calls.find((c) => c.kind === 'pathway_decision')!;
    expect(decision.node).toBe('start');
    const route = (decision.schema!.properties as Record<string, { enum: string[]; description: string }>).route!;
    expect(route.enum).toEqual(['stay', 'collect_details', 'goodbye', 'restaurant_questions']);
    expect(route.description).toContain('collect_details: caller wants to make a reservation');
    expect(state.logs.at(-1)).toMatchObject({ kind: 'edge', from: { id: 'start' }, to: { id: 'collect_details' }, edge: { id: 'e-start-collect' } });
    // The target's dialogue carries the global prompt and the node prompt, and uses its temperature.
    const speak = model.calls.find((c) => c.kind === 'speak')!;
    expect(speak.messages[0]!.content).toContain('Global instructions: This is a phone call.');
    expect(speak.messages[0]!.content).toContain('Node prompt: Ask the caller for the date');
    expect(speak.temperature).toBe(0.2);
  });

  it('a condition holds the agent on its node until it is met', async () => {
    const model = new FakeModel({
      'pathway_decision:start': [{ route: 'collect_details' }],
      'pathway_decision:collect_details': [{ route: 'stay' }],
      'pathway_variables:collect_details': [{ date: 'Friday', time: null, guests: null }],
    });
    const { outcomes, state } = await converse(model, ['a reservation please', 'Friday']);
    expect(outcomes[2]!.node.id).toBe('collect_details');
    const stay = state.logs.at(-1)!;
    expect(stay).toMatchObject({ kind: 'stay', condition_met: false, to: { id: 'collect_details' } });
    expect(stay.why).toMatch(/Condition not met yet/);
    expect(state.variables).toEqual({ date: 'Friday' });
    const decision = model.calls.filter((c) => c.kind === 'pathway_decision').at(-1)!;
    expect(decision.messages[0]!.content).toMatch(/condition that must be met.*date, time, and number of guests/);
  });

  it('extracts typed variables, runs the webhook and follows responsePathways on success', async () => {
    const model = new FakeModel({
      'pathway_decision:start': [{ route: 'collect_details' }],
      'pathway_decision:collect_details': [{ route: 'book_table' }],
      'pathway_variables:collect_details': [{ date: 'Friday', time: '7pm', guests: '4' }],
    });
    const { outcomes, state } = await converse(model, ['reservation', 'Friday at 7pm for 4'], { ok: true, status: 200, variables: { reservation_success: true, confirmation_code: 'BV42' } });
    const last = outcomes.at(-1)!;
    expect(last.say).toEqual([
      'Please give me a moment as I check our bookings.',
      "You're all set: a table for 4 on Friday at 7pm. Your confirmation code is BV42. Goodbye!",
    ]);
    expect(last.action).toBe('end');
    expect(state.variables).toMatchObject({ date: 'Friday', time: '7pm', guests: 4, reservation_success: true });
    const kinds = state.logs.map((l) => l.kind);
    expect(kinds).toEqual(['start', 'edge', 'extract', 'edge', 'webhook', 'end']);
    expect(state.logs[4]!.why).toMatch(/responsePathways rule reservation_success == true holds/);
  });

  it('builds the webhook request from the node, with the variables for its templates', async () => {
    const model = new FakeModel({
      'pathway_decision:start': [{ route: 'collect_details' }],
      'pathway_decision:collect_details': [{ route: 'book_table' }],
      'pathway_variables:collect_details': [{ date: 'Friday', time: '7pm', guests: 4 }],
    });
    const transcript = [{ user: 'user', text: 'x' }];
    let out = await runPathwayTurn({ graph, startNodeId: null, transcript, callVariables: {}, state: initialState() }, model);
    out = await runPathwayTurn({ graph, startNodeId: null, transcript, callVariables: {}, state: out.state }, model);
    out = await runPathwayTurn({ graph, startNodeId: null, transcript, callVariables: {}, state: out.state }, model);
    expect(out.action).toBe('webhook');
    expect(out.webhook).toMatchObject({
      nodeId: 'book_table', method: 'POST', url: 'http://localhost:8080/reservations', timeoutMs: 5000, attempts: 2,
      variables: expect.objectContaining({ guests: 4, date: 'Friday' }),
    });
    expect(out.webhook!.responseData).toHaveLength(2);
  });

  it('follows the failure branch, and stays at the webhook node when no rule holds', async () => {
    const base = () => ({
      'pathway_decision:start': [{ route: 'collect_details' }],
      'pathway_decision:collect_details': [{ route: 'book_table' }],
      'pathway_variables:collect_details': [{ date: 'Friday', time: '7pm', guests: 4 }],
    });
    const full = await converse(new FakeModel(base()), ['r', 'Friday 7pm 4'], { ok: true, status: 200, variables: { reservation_success: false } });
    expect(full.outcomes.at(-1)!.node.id).toBe('find_new_time');
    const broken = await converse(new FakeModel(base()), ['r', 'Friday 7pm 4'], { ok: false, status: 500, variables: {} });
    expect(broken.outcomes.at(-1)!.node.id).toBe('book_table');
    expect(broken.state.logs.at(-1)!.why).toMatch(/failed \(HTTP 500\); no responsePathways rule holds/);
  });

  it('transfers parties over 8 after the node has spoken', async () => {
    const model = new FakeModel({
      'pathway_decision:start': [{ route: 'collect_details' }],
      'pathway_decision:collect_details': [{ route: 'large_party' }],
    });
    const { outcomes } = await converse(model, ['reservation', '12 people on Friday at 8pm']);
    expect(outcomes.at(-1)).toMatchObject({ action: 'transfer', transferTo: '+14155550188', node: { id: 'large_party' } });
    expect(outcomes.at(-1)!.say[0]).toMatch(/events team/);
  });

  it('a global node answers from its kb and returns to the node the agent came from', async () => {
    const model = new FakeModel({
      'pathway_decision:start': [{ route: 'collect_details' }],
      'pathway_decision:collect_details': [{ route: 'restaurant_questions' }, { route: 'stay' }],
    });
    const { outcomes, state } = await converse(model, ['reservation', 'when do you open?', 'Saturday']);
    expect(outcomes[2]!.node.id).toBe('restaurant_questions');
    const kbPrompt = model.calls.filter((c) => c.kind === 'speak' && c.node === 'restaurant_questions')[0]!.messages[0]!.content;
    expect(kbPrompt).toContain('Opening hours: 5pm to 11pm');
    expect(kbPrompt).toContain('Answer the caller\'s question (when do you open?)');
    expect(kbPrompt).toContain('return to: Ask the caller for the date');
    expect(state.logs.find((l) => l.kind === 'global')).toMatchObject({ from: { id: 'collect_details' }, to: { id: 'restaurant_questions' } });
    // The next answer is judged by the node the agent came from.
    expect(state.logs.find((l) => l.kind === 'return')).toMatchObject({ from: { id: 'restaurant_questions' }, to: { id: 'collect_details' } });
    expect(outcomes[3]!.node.id).toBe('collect_details');
    expect(model.calls.filter((c) => c.kind === 'pathway_decision').at(-1)!.node).toBe('collect_details');
  });

  it('a global node with forwarding moves on instead of returning', async () => {
    const g: PathwayGraph = {
      nodes: [
        { id: 's', type: 'Default', data: { isStart: true, text: 'hi' } },
        { id: 'g', type: 'Default', data: { isGlobal: true, globalLabel: 'angry', text: 'sorry', enableForwarding: true, forwardingNode: 'm' } },
        { id: 'm', type: 'Default', data: { text: 'manager here' } },
      ],
      edges: [],
    };
    const model = new FakeModel({ 'pathway_decision:s': [{ route: 'g' }] });
    const t = [{ user: 'user', text: 'grr' }];
    let out = await runPathwayTurn({ graph: g, startNodeId: null, transcript: [], callVariables: {}, state: initialState() }, model);
    out = await runPathwayTurn({ graph: g, startNodeId: null, transcript: t, callVariables: {}, state: out.state }, model);
    expect(out.say).toEqual(['sorry']);
    out = await runPathwayTurn({ graph: g, startNodeId: null, transcript: t, callVariables: {}, state: out.state }, model);
    expect(out.state.logs.find((l) => l.kind === 'return')!.why).toMatch(/forwards to "m"/);
  });

  it('an answer that is not an option keeps the agent where it is', async () => {
    const model = new FakeModel({ 'pathway_decision:start': [{ route: 'drop tables' }] });
    const { outcomes, state } = await converse(model, ['hmm']);
    expect(outcomes[1]!.node.id).toBe('start');
    expect(state.logs.at(-1)!.why).toMatch(/not a route here/);
  });

  it('few-shot examples go to the model', async () => {
    const g: PathwayGraph = {
      nodes: [
        { id: 's', type: 'Default', data: { isStart: true, text: 'hi', pathwayExamples: [{ userInput: 'nah', output: 'bye' }], conditionExamples: [{ userInput: 'tuesday', output: 'not met' }] } },
        { id: 'b', type: 'End Call', data: { prompt: 'Say goodbye', dialogueExamples: [{ userInput: 'nah', output: 'See you!' }] } },
      ],
      edges: [{ id: 'e', source: 's', target: 'b', label: 'bye' }],
    };
    const model = new FakeModel({ 'pathway_decision:s': [{ route: 'b' }] });
    const t = [{ user: 'user', text: 'nah' }];
    const first = await runPathwayTurn({ graph: g, startNodeId: null, transcript: [], callVariables: {}, state: initialState() }, model);
    const out = await runPathwayTurn({ graph: g, startNodeId: null, transcript: t, callVariables: {}, state: first.state }, model);
    expect(out.action).toBe('end');
    const [decision, speak] = model.calls;
    expect(decision!.messages[0]!.content).toContain('- caller: "nah" → "bye"');
    expect(decision!.messages[0]!.content).toContain('"tuesday" → "not met"');
    expect(speak!.messages[0]!.content).toContain('"nah" → "See you!"');
  });

  it('a graph that cannot run fails with a PathwayGraphError (the activity makes it non-retryable by its type)', async () => {
    const g: PathwayGraph = { nodes: [{ id: 'm', type: 'Default', data: { text: 'hi' } }], edges: [] };
    const model = new FakeModel({});
    await expect(runPathwayTurn({ graph: g, startNodeId: null, transcript: [], callVariables: {}, state: initialState() }, model)).rejects.toBeInstanceOf(PathwayGraphError);
    const gone = { ...initialState(), currentNodeId: 'removed' };
    const t = [{ user: 'user', text: 'hello' }];
    await expect(runPathwayTurn({ graph: g, startNodeId: null, transcript: t, callVariables: {}, state: gone }, model)).rejects.toThrow(PathwayGraphError);
  });
});
