import { fillSchema } from '../../src/simulator/offline-model/structured';
import { decisionSchema, extractionSchema } from '../../src/pathway/prompts';
import { coerceVariable, matchResponsePathway, nodeEffect, routeOptions } from '../../src/pathway/routing';
import type { PathwayGraph, PathwayNode, ResponsePathway } from '../../src/pathway/types';

const node = (responsePathways: ResponsePathway[]): PathwayNode => ({ id: 'w', type: 'Webhook', data: { url: 'https://x', responsePathways } });

describe('pathway routing rules', () => {
  it('matches responsePathways with ==, !=, >, < and contains, first rule wins', () => {
    const n = node([
      ['status', '==', 'BOOKED', { id: 'a' }],
      ['count', '>', '8', { id: 'b' }],
      ['count', '<', '2', { id: 'c' }],
      ['note', 'contains', 'vip', { id: 'd' }],
      ['status', '!=', 'booked', { id: 'e' }],
    ]);
    expect(matchResponsePathway(n, { status: 'booked' })?.targetId).toBe('a');
    expect(matchResponsePathway(n, { status: 'full', count: 12 })?.targetId).toBe('b');
    expect(matchResponsePathway(n, { status: 'full', count: '1' })?.targetId).toBe('c');
    expect(matchResponsePathway(n, { count: 5, note: 'A VIP guest' })?.targetId).toBe('d');
    expect(matchResponsePathway(n, { count: 5, status: 'full' })?.targetId).toBe('e');
    // `>` and `<` compare numbers only; booleans compare as text.
    expect(matchResponsePathway(node([['x', '>', '1', { id: 'a' }]]), { x: 'abc' })).toBeNull();
    expect(matchResponsePathway(node([['ok', '==', 'true', { id: 'a' }]]), { ok: true })?.targetId).toBe('a');
    expect(matchResponsePathway(node([['ok', '==', 'true', { id: 'a' }]]), {})).toBeNull();
  });

  it('coerces extracted values to their declared type and drops what does not fit', () => {
    expect(coerceVariable('integer', '4 people')).toBe(4);
    expect(coerceVariable('integer', 3.6)).toBe(4);
    expect(coerceVariable('integer', 'none')).toBeUndefined();
    expect(coerceVariable('number', '2.5')).toBe(2.5);
    expect(coerceVariable('boolean', 'yes')).toBe(true);
    expect(coerceVariable('boolean', 'maybe')).toBeUndefined();
    expect(coerceVariable('string', null)).toBeUndefined();
    expect(coerceVariable('string', { a: 1 })).toBe('{"a":1}');
  });

  it('gives each node type its effect', () => {
    const t = (type: string) => nodeEffect({ id: 'x', type, data: {} });
    expect([t('Default'), t('Knowledge Base'), t('Wait for Response'), t('End Call'), t('Transfer Call'), t('Transfer Node'), t('Webhook')]).toEqual(
      ['continue', 'continue', 'continue', 'end', 'transfer', 'transfer', 'webhook'],
    );
  });

  it('offers stay, each edge target once, and every other global node', () => {
    const g: PathwayGraph = {
      nodes: [
        { id: 'a', type: 'Default', data: { isStart: true } },
        { id: 'b', type: 'Default', data: {} },
        { id: 'g', type: 'Default', data: { isGlobal: true, globalLabel: 'asks for a human' } },
      ],
      edges: [
        { id: 'e1', source: 'a', target: 'b', label: 'wants pizza' },
        { id: 'e2', source: 'a', target: 'b', label: 'duplicate' },
        { id: 'e3', source: 'b', target: 'a', label: 'back' },
      ],
    };
    expect(routeOptions(g, g.nodes[0]!).map((o) => [o.value, o.kind, o.label])).toEqual([
      ['stay', 'stay', ''], ['b', 'edge', 'wants pizza'], ['g', 'global', 'asks for a human'],
    ]);
    expect(routeOptions(g, g.nodes[2]!).map((o) => o.value)).toEqual(['stay']);
  });

  it('decision and extraction schemas let the offline model choose by label words and fill typed slots', () => {
    const options = [
      { value: 'stay', kind: 'stay' as const, targetId: 'a', label: '', edgeId: null },
      { value: 'n1', kind: 'edge' as const, targetId: 'n1', label: 'caller wants to order a pizza', edgeId: 'e1' },
      { value: 'n2', kind: 'edge' as const, targetId: 'n2', label: 'caller asks about delivery times', edgeId: 'e2' },
    ];
    const schema = decisionSchema(options);
    expect(fillSchema(schema, { userText: 'When is the delivery?' })).toEqual({ route: 'n2' });
    expect(fillSchema(schema, { userText: 'I would like a pizza' })).toEqual({ route: 'n1' });
    expect(fillSchema(schema, { userText: 'hmm' })).toEqual({ route: 'stay' });
    const ex = extractionSchema([['date', 'string', 'Date'], ['guests', 'integer', 'Guests'], ['vip', 'boolean', 'VIP?']]);
    expect(fillSchema(ex, { userText: '5 guests on Friday' })).toEqual({ date: 'Friday', guests: 5, vip: null });
  });
});
