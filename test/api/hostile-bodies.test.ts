import request from 'supertest';
import { startStack, type Stack } from '../helpers/stack';

/**
 * Crafted bodies that once answered 500: each is a 400 in Bland's shape, and nothing is stored.
 * (Deep nesting used to overflow JSON.stringify before any depth check; a NUL in a key is a BSON
 * error; 1e309 parses as Infinity; chat request_data skipped the checks calls make.)
 */
describe('API: hostile request bodies', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: false });
  });
  afterAll(() => stack.stop());

  const post = (path: string, raw: string) =>
    request(stack.apiUrl).post(path).set('authorization', stack.org.apiKey).set('content-type', 'application/json').send(raw);
  const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const call = (extra: string) => `{"phone_number":"+14155550100","task":"t",${extra}}`;
  const tool = (extra: string) => `{"name":"LookUp","description":"d","url":"https://api.example.com/x",${extra}}`;

  async function expect400(path: string, raw: string, message: RegExp): Promise<void> {
    const res = await post(path, raw);
    expect([path, res.status]).toEqual([path, 400]);
    expect(res.body).toMatchObject({ status: 'error', errors: [expect.stringMatching(message)] });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+|stack/i);
  }

  it('refuses nesting 10,000 deep on every endpoint that takes JSON', async () => {
    const deep = nested(10_000);
    for (const [path, raw] of [
      ['/v1/calls', call(`"request_data":${deep}`)],
      ['/v1/batches', `{"base_prompt":"t","call_data":[{"phone_number":"+14155550100","x":${deep}}]}`],
      ['/v1/tools', tool(`"body":${deep}`)],
      ['/v1/pathway/chat/create', `{"pathway_id":"p","request_data":${deep}}`],
      ['/v1/dynamic_data/test', `{"dynamic_data":[{"url":"https://api.example.com","body":${deep}}]}`],
      ['/v1/pathway/create', `{"name":${deep}}`],
    ] as const) {
      await expect400(path, raw, /nested deeper than 64 levels/);
    }
  });

  it('answers a request line over 16 KiB with a 431 in Bland\'s shape, read whole by a client still sending its body', async () => {
    // Node refuses it before any route; its own answer reset the connection under a client still sending.
    const res = await fetch(`${stack.apiUrl}/v1/vectors/upload?name=kb&description=${'%E2%A3%B7'.repeat(2_400)}`, {
      method: 'POST',
      headers: { authorization: stack.org.apiKey, 'content-type': 'text/plain' },
      body: 'x'.repeat(200_000),
    });
    expect(res.status).toBe(431);
    expect(await res.json()).toEqual({ status: 'error', message: expect.stringMatching(/too large/), errors: [expect.stringMatching(/at most 16 KiB/)] });
    // The server goes on answering.
    expect((await request(stack.apiUrl).get('/v1/calls').set('authorization', stack.org.apiKey)).status).toBe(200);
  });

  it('refuses a NUL character in a key', async () => {
    await expect400('/v1/calls', call('"request_data":{"a\\u0000b":1}'), /NUL character/);
    await expect400('/v1/batches', '{"base_prompt":"t","call_data":[{"phone_number":"+14155550100","a\\u0000b":1}]}', /NUL character/);
    await expect400('/v1/tools', tool('"headers":{"a\\u0000b":"1"}'), /NUL character/);
  });

  it('refuses numbers too large for a double, and stores no unknown tool field', async () => {
    await expect400('/v1/tools', tool('"max_duration":1e309'), /number out of range/);
    await expect400('/v1/calls', call('"max_duration":1e309'), /number out of range/);
    const created = await post('/v1/tools', tool('"max_duration":5,"$where":"x","nested":{"a.b":1}')).expect(200);
    expect(created.body.warnings).toEqual(['Unknown fields were ignored: "max_duration", "$where", "nested".']);
    const stored = await stack.db.collections.tools.findOne({ _id: created.body.tool_id });
    expect(Object.keys(stored!.tool).sort()).toEqual(['description', 'name', 'url']);
  });

  it('checks a chat\'s request_data as a call\'s', async () => {
    const before = await stack.db.collections.calls.countDocuments({ org_id: stack.org.id });
    for (const rd of ['{"$where":"1"}', '{"a.b":1}', nested(30), nested(100)]) {
      const res = await post('/v1/pathway/chat/create', `{"pathway_id":"p","request_data":${rd}}`);
      expect([rd.slice(0, 20), res.status]).toEqual([rd.slice(0, 20), 400]);
      expect(res.body.status).toBe('error');
    }
    expect(await stack.db.collections.calls.countDocuments({ org_id: stack.org.id })).toBe(before);
  });
});
