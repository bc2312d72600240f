import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerNodeType } from '../../src/pathway/node-types';
import { z } from 'zod';
import { PathwayEdgesSchema, PathwayNodesSchema, webhookUrlProblems, withGraphRules } from '../../src/pathway/graph-schema';
import { startNode, validateGraph } from '../../src/pathway/validate';
import { str } from '../../src/validation/fields';
import { issueMessages } from '../../src/validation/issue-messages';

const example = JSON.parse(readFileSync(join(__dirname, '../../examples/restaurant-reservation.json'), 'utf8')) as { nodes: unknown[]; edges: unknown[] };
const errorsOf = (nodes: unknown, edges: unknown, startNodeId?: string) => {
  const r = validateGraph(nodes, edges, { startNodeId });
  return r.ok ? [] : r.errors;
};

describe('pathway validation', () => {
  it('accepts the example pathway and finds its start node', () => {
    const r = validateGraph(example.nodes, example.edges);
    expect(r.ok).toBe(true);
    if (r.ok) expect(startNode(r.graph)?.id).toBe('start');
  });

  it('lists every problem at once', () => {
    const errors = errorsOf(
      [
        { id: 'a', type: 'Default', data: { name: 'A' } },
        { id: 'b', type: 'Teleport', data: {} },
        { id: 'g', type: 'Default', data: { isGlobal: true } },
        { id: 't', type: 'Transfer Call', data: { text: 'bye' } },
        { id: 'w', type: 'Webhook', data: { responsePathways: [['x', '~', '1', { id: 'nowhere' }]] } },
        { id: 'a', type: 'Default', data: {} },
        'not a node',
      ],
      [{ id: 'e1', source: 'a', target: 'missing' }, { id: 'e1', source: 'ghost', target: 'a' }],
    );
    const text = errors.join('\n');
    expect(text).toMatch(/unknown node type "Teleport"/);
    expect(text).toMatch(/global node needs data.globalLabel/);
    expect(text).toMatch(/Transfer Call node needs data.transferNumber/);
    expect(text).toMatch(/Webhook node needs data.url/);
    expect(text).toMatch(/responsePathways must be/);
    expect(text).toMatch(/duplicate node id "a"/);
    expect(text).toMatch(/nodes\[6\] must be an object/);
    expect(text).toMatch(/target "missing" is not a node/);
    expect(text).toMatch(/source "ghost" is not a node/);
    expect(text).toMatch(/duplicate edge id "e1"/);
    expect(text).toMatch(/exactly one start node.*found 0/);
    expect(errors.length).toBeGreaterThanOrEqual(11);
  });

  it('requires exactly one start node unless start_node_id is given', () => {
    const two = [
      { id: 'a', type: 'Default', data: { isStart: true } },
      { id: 'b', type: 'Default', data: { isStart: true } },
    ];
    expect(errorsOf(two, [])).toEqual([expect.stringMatching(/found 2/)]);
    expect(errorsOf(two, [], 'b')).toEqual([]);
    expect(errorsOf(two, [], 'zzz')).toEqual([expect.stringMatching(/start_node_id "zzz"/)]);
  });

  it('refuses non-arrays, bad extractVars, bad timeouts and unsafe keys', () => {
    expect(errorsOf('nodes', [])).toEqual(['nodes must be an array of node objects.']);
    expect(errorsOf([], { a: 1 })).toEqual(['edges must be an array of edge objects.']);
    const errors = errorsOf(
      [{ id: 's', type: 'Default', data: { isStart: true, extractVars: [['x', 'date', 'd']], timeout: 5, 'a.b': 1, modelOptions: { temperature: 9 } } }],
      [],
    ).join('\n');
    expect(errors).toMatch(/extractVars/);
    expect(errors).toMatch(/timeout/);
    expect(errors).toMatch(/key "a.b"/);
    expect(errors).toMatch(/temperature/);
  });

  it('accepts the seed spelling "Transfer Node" and types registered later', () => {
    expect(errorsOf([{ id: 's', type: 'Transfer Node', data: { isStart: true, transferNumber: '+14155550100' } }], [])).toEqual([]);
    expect(errorsOf([{ id: 's', type: 'SMS', data: { isStart: true } }], [])).toHaveLength(1);
    registerNodeType('SMS', { effect: 'continue', required: ['text'] });
    expect(errorsOf([{ id: 's', type: 'SMS', data: { isStart: true, text: 'hi' } }], [])).toEqual([]);
  });

  it('composes into a request schema: field, node and whole-graph problems in one list', () => {
    const body = withGraphRules(z.object({ name: str(200), nodes: PathwayNodesSchema.optional(), edges: PathwayEdgesSchema.optional() }));
    const r = body.safeParse({ name: 5, nodes: [{ id: 'a', type: 'Default', data: { timeout: 1 } }, { id: 'b', type: 'Teleport', data: {} }], edges: {} });
    expect(r.success).toBe(false);
    expect(issueMessages(r.error!)).toEqual([
      'name must be a string.',
      'nodes[0] (a): data.timeout must be milliseconds from 100 to 120000.',
      expect.stringMatching(/^nodes\[1\] \(b\): unknown node type "Teleport"/),
      'A pathway needs exactly one start node (data.isStart: true); found 0.',
    ]);
    // Only one half sent: the whole-graph rules wait for the stored other half.
    const update = withGraphRules(z.object({ nodes: PathwayNodesSchema.optional(), edges: PathwayEdgesSchema.optional() }), { both: true });
    expect(update.safeParse({ edges: [{ id: 'e', source: 'x', target: 'y' }] }).success).toBe(true);
    // `{}` is the seed's empty list.
    expect(body.parse({ name: 'n', nodes: {}, edges: {} })).toEqual({ name: 'n', nodes: [], edges: [] });
  });

  it('names every Webhook node URL the injected rule refuses', () => {
    const nodes = [
      { id: 's', type: 'Default', data: { isStart: true } },
      { id: 'w', type: 'Webhook', data: { url: 'http://10.0.0.1/x' } },
    ];
    expect(webhookUrlProblems(nodes, (url, label) => (url.includes('10.0.0.1') ? `${label} is private.` : null))).toEqual(['nodes[1] (w): data.url is private.']);
    expect(validateGraph(nodes, [], { checkUrl: (_u, label) => `${label} no.` })).toEqual({ ok: false, errors: ['nodes[1] (w): data.url no.'] });
  });
});
