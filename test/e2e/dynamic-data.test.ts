import request from 'supertest';
import { callWorkflowId } from '../../src/ids';
import { replayAndMaybeRecord } from '../helpers/histories';
import { events, sendCall, simCallsTo, uniqueNumber, waitForCompletion } from '../helpers/calls';
import { startStack, uid, type Stack } from '../helpers/stack';
import { json, startToolServer, type ToolServer } from '../helpers/tool-server';

/** dynamic_data before the first word, and POST /v1/dynamic_data/test, against a local API. */
describe('dynamic_data', () => {
  let stack: Stack;
  let api: ToolServer;
  beforeAll(async () => {
    api = await startToolServer();
    stack = await startStack({ allow: [api.url] });
    api.on('/customers', (req, res) =>
      req.headers.authorization === 'ExtremelySecureCredentials'
        ? json(res, 200, { customer: { member_id: `M-${req.query.phone_number?.slice(-4)}` } })
        : json(res, 401, { error: 'no' }),
    );
    api.on('/orders', (req, res) => json(res, 200, { orders: [{ id: `o-for-${req.query.member_id}`, status: 'shipped' }, { id: 'older', status: 'delivered' }] }));
    api.on('/broken', (_req, res) => json(res, 500, { error: 'down' }));
  });
  afterAll(async () => {
    await api.close();
    await stack.stop();
  });

  /** The seed's member ID → order status chain, plus a repeat of the first request (cached). */
  const chain = () => [
    {
      url: `${api.url}/customers`,
      method: 'GET',
      headers: { authorization: 'ExtremelySecureCredentials' },
      query: { phone_number: '{{phone_number}}' },
      response_data: [{ name: 'member_id', data: '$.customer.member_id', context: 'Member {{member_id}} is calling.' }],
    },
    {
      url: `${api.url}/orders`,
      method: 'GET',
      cache: false,
      headers: { authorization: 'ExtremelySecureCredentials' },
      query: { member_id: '{{member_id}}' },
      response_data: [
        { name: 'order_id', data: '$.orders[0].id' },
        { name: 'order_status', data: '$.orders[0].status', context: 'Order {{order_id}} is {{order_status}}.' },
      ],
    },
    {
      url: `${api.url}/customers`,
      headers: { authorization: 'ExtremelySecureCredentials' },
      query: { phone_number: '{{phone_number}}' },
      response_data: [{ name: 'member_again', data: '$.customer.member_id' }],
    },
  ];

  it('runs the chained requests in order before the first word; variables reach the task and context the knowledge', async () => {
    const to = uniqueNumber();
    const member = `M-${to.slice(-4)}`;
    const marker = uid();
    stack.simulator.scriptNumber(to, { utterances: ['Where is my order?', 'Bye.'] });
    // The opening is scripted on the knowledge line, so it is only said if the context reached the prompt.
    stack.model.scripts.add({ match: `Order o-for-${member} is shipped.`, replies: [{ content: `Hello ${marker}, I have your order here.` }] });
    const before = api.seen.length;
    const callId = await sendCall(stack, { phone_number: to, task: 'Tell the caller their order {{order_id}} is {{order_status}}.', dynamic_data: chain() });
    const call = await waitForCompletion(stack, callId);
    expect(call.queue_status).toBe('complete');

    const made = api.seen.slice(before);
    expect(made.map((r) => r.url)).toEqual([`/customers?phone_number=${encodeURIComponent(to)}`, `/orders?member_id=${member}`]);
    const said = call.transcripts.map((t: { user: string; text: string }) => `${t.user}: ${t.text}`);
    expect(said[0]).toBe(`assistant: Hello ${marker}, I have your order here.`);
    expect(said).toContain(`assistant: You said "Where is my order?". Your order o-for-${member} is shipped.`);
    expect(simCallsTo(stack, to)).toHaveLength(1);
    expect(call.variables).toMatchObject({ phone_number: to, member_id: member, order_id: `o-for-${member}`, order_status: 'shipped' });

    const all = await events(stack, callId);
    // Before the first word, and indeed before the dial.
    const dialled = all.findIndex((e) => e.message.startsWith('Dialling'));
    expect(all.findIndex((e) => e.level === 'dynamic_data')).toBeLessThan(dialled);
    const evs = all.filter((e) => e.level === 'dynamic_data');
    expect(evs.map((e) => e.message)).toEqual([
      expect.stringMatching(/^dynamic_data\[0\]: GET .*\/customers\?phone_number=.* → 200 in \d+ ms; set member_id$/),
      expect.stringMatching(/^dynamic_data\[1\]: GET .*\/orders\?member_id=.* → 200 in \d+ ms; set order_id, order_status$/),
      expect.stringMatching(/^dynamic_data\[2\]: GET .*\/customers.* → 200 \(cached\); set member_again$/),
    ]);
    expect(JSON.stringify(evs)).not.toContain('ExtremelySecureCredentials');
    await replayAndMaybeRecord(stack.temporal.client, callWorkflowId(callId), 'phone-call-dynamic-data');
  });

  it('goes on when a request fails: the failure is in the event stream and the agent is told it could not load', async () => {
    const to = uniqueNumber();
    const marker = uid();
    stack.simulator.scriptNumber(to, { utterances: ['Bye.'] });
    stack.model.scripts.add({ match: 'could not be loaded from', replies: [{ content: `Sorry ${marker}, I cannot see your balance right now.` }] });
    const callId = await sendCall(stack, {
      phone_number: to,
      task: 'Tell the caller their balance is {{balance}}.',
      dynamic_data: [
        { url: `${api.url}/broken`, response_data: [{ name: 'balance', data: '$.balance', context: 'The balance is {{balance}}.' }] },
        { url: `${api.url}/orders`, query: { member_id: 'x' }, response_data: [{ name: 'order_id', data: '$.orders[0].id' }] },
      ],
    });
    const call = await waitForCompletion(stack, callId);
    expect(call.queue_status).toBe('complete');
    expect(call.transcripts[0]).toMatchObject({ user: 'assistant', text: `Sorry ${marker}, I cannot see your balance right now.` });
    const evs = (await events(stack, callId)).filter((e) => e.level === 'dynamic_data');
    expect(evs[0]).toMatchObject({ category: 'error', message: expect.stringContaining('failed (HTTP 500); the call goes on without it') });
    expect(evs[1]).toMatchObject({ category: 'info', message: expect.stringContaining('set order_id') });
  });

  describe('POST /v1/dynamic_data/test', () => {
    const post = () => request(stack.apiUrl).post('/v1/dynamic_data/test').set('authorization', stack.org.apiKey);

    it('returns the configuration, each raw response and the parsed variables, without a call', async () => {
      const callsBefore = await stack.db.collections.calls.countDocuments({ org_id: stack.org.id });
      const res = await post().send({ dynamic_data: chain(), variables: { phone_number: '+15551234567' } }).expect(200);
      expect(res.body.status).toBe('success');
      expect(res.body.config).toEqual(chain());
      expect(res.body.variables).toEqual({ member_id: 'M-4567', order_id: 'o-for-M-4567', order_status: 'shipped', member_again: 'M-4567' });
      expect(res.body.responses).toHaveLength(3);
      expect(res.body.responses[0]).toMatchObject({ ok: true, status: 200, cached: false, response: { customer: { member_id: 'M-4567' } }, variables: { member_id: 'M-4567' } });
      expect(res.body.responses[1].response.orders[1]).toEqual({ id: 'older', status: 'delivered' });
      expect(res.body.responses[2]).toMatchObject({ cached: true, variables: { member_again: 'M-4567' } });
      expect(res.body.context).toEqual(['Member M-4567 is calling.', 'Order o-for-M-4567 is shipped.']);
      expect(await stack.db.collections.calls.countDocuments({ org_id: stack.org.id })).toBe(callsBefore);
    });

    it('reports a failing request in its response entry', async () => {
      const res = await post().send({ dynamic_data: [{ url: `${api.url}/broken`, response_data: [{ name: 'b', data: '$.b' }] }] }).expect(200);
      expect(res.body.responses[0]).toMatchObject({ ok: false, status: 500, error: 'HTTP 500', response: { error: 'down' } });
      expect(res.body.variables).toEqual({});
    });

    it.each([
      ['no dynamic_data', {}, 'Missing required parameter: dynamic_data.'],
      ['dynamic_data that is not an array', { dynamic_data: { url: 'https://x.example.com' } }, 'dynamic_data must be an array.'],
      ['an entry without a url', { dynamic_data: [{}] }, 'dynamic_data[0].url is required'],
      ['a cache flag that is not a boolean', { dynamic_data: [{ url: 'https://x.example.com', cache: 'no' }] }, 'dynamic_data[0].cache must be a boolean.'],
      ['variables that are not an object', { dynamic_data: [], variables: 'x' }, 'variables must be an object.'],
    ])('refuses %s with a 400', async (_label, body, message) => {
      const res = await post().send(body).expect(400);
      expect(res.body.errors.join(' | ')).toContain(message);
    });

    it('refuses malformed JSON', async () => {
      const res = await post().set('content-type', 'application/json').send('{"dynamic_data": [').expect(400);
      expect(res.body.status).toBe('error');
    });
  });

  describe('POST /v1/dynamic_data/test: the total time budget', () => {
    const BUDGET_MS = 1500;
    let small: Stack;
    beforeAll(async () => {
      small = await startStack({ worker: false, allow: [api.url], env: { DYNAMIC_DATA_TEST_BUDGET_MS: String(BUDGET_MS) } });
      // Never answers: held until the tool server closes, or until the caller gives up.
      api.on('/hold', () => undefined);
    });
    afterAll(() => small.stop());
    const post = () => request(small.apiUrl).post('/v1/dynamic_data/test').set('authorization', small.org.apiKey);
    const slow = (n: string) => ({ url: `${api.url}/hold`, query: { n }, timeout: 60_000, response_data: [{ name: `held_${n}`, data: '$.x' }] });
    const fast = (name: string) => ({ url: `${api.url}/orders`, query: { member_id: name }, response_data: [{ name, data: '$.orders[0].id' }] });

    it('clips a slow request to what is left of the budget and reports the entries it never reached as not run', async () => {
      const started = Date.now();
      const res = await post().send({ dynamic_data: [fast('first'), slow('a'), fast('third'), slow('b')] }).expect(200);
      const took = Date.now() - started;
      // Within the budget (plus the request's own overhead), far from the 60 s the entry asked for.
      expect(took).toBeGreaterThanOrEqual(BUDGET_MS - 50);
      expect(took).toBeLessThan(BUDGET_MS + 5_000);
      expect(res.body.variables).toEqual({ first: 'o-for-first' });
      expect(res.body.responses).toHaveLength(4);
      expect(res.body.responses[0]).toMatchObject({ index: 0, ok: true, status: 200 });
      expect(res.body.responses[1]).toMatchObject({ index: 1, ok: false, status: null, response: null });
      expect(res.body.responses[1].error).toMatch(/^timeout: .*1500 ms budget/);
      for (const i of [2, 3]) {
        expect(res.body.responses[i]).toMatchObject({ index: i, ok: false, status: null, cached: false, duration_ms: 0, response: null, variables: {} });
        expect(res.body.responses[i].error).toMatch(/^not_run: .*1500 ms budget/);
      }
      // Neither unreached entry was sent.
      expect(api.seen.filter((r) => r.url.includes('member_id=third') || r.url.includes('n=b'))).toEqual([]);
      // Each one the agent would have lost is a note, as for any failed request.
      expect(res.body.context).toEqual([expect.stringContaining('Information (held_a)'), expect.stringContaining('Information (third)'), expect.stringContaining('Information (held_b)')]);
    });

    it('leaves requests that fit within the budget alone', async () => {
      const res = await post().send({ dynamic_data: [fast('one'), fast('two')] }).expect(200);
      expect(res.body.responses.map((r: { ok: boolean }) => r.ok)).toEqual([true, true]);
      expect(res.body.variables).toEqual({ one: 'o-for-one', two: 'o-for-two' });
    });
  });
});
