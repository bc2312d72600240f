import request from 'supertest';
import { events, sendCall, uniqueNumber, waitForCompletion } from '../helpers/calls';
import { startStack, uid, type Stack } from '../helpers/stack';
import { json, startToolServer, type ToolServer } from '../helpers/tool-server';

/**
 * The SSRF guard for tools and dynamic_data. Without an allow-list, loopback, private,
 * link-local/metadata and IPv6 loopback destinations are refused: literal addresses when the tool
 * or request is accepted, names that resolve to them and redirects that lead to them when the
 * request is made. Each refusal says what was refused and why.
 */
describe('SSRF guard: tools and dynamic_data without an allow-list', () => {
  let stack: Stack;
  let api: ToolServer;
  beforeAll(async () => {
    stack = await startStack({ env: { OUTBOUND_ALLOWLIST: '' } });
    api = await startToolServer();
  });
  afterAll(async () => {
    await api.close();
    await stack.stop();
  });
  const post = (path: string, body: object) => request(stack.apiUrl).post(path).set('authorization', stack.org.apiKey).send(body);
  const tool = (url: string) => ({ name: 'LookupThing', description: 'Looks a thing up', url });

  it.each([
    ['loopback', 'https://127.0.0.1/x', 'loopback address (127.0.0.1)'],
    ['cloud metadata', 'https://169.254.169.254/latest/meta-data', 'cloud metadata address (169.254.169.254)'],
    ['private', 'https://10.0.0.1/x', 'private address (10.0.0.1)'],
    ['IPv6 loopback', 'https://[::1]/x', 'loopback address (::1)'],
    ['IPv6-mapped loopback', 'https://[::ffff:127.0.0.1]/x', 'address (::ffff:7f00:1)'],
  ])('refuses a %s tool URL, and the same dynamic_data URL, with a clear 400', async (_label, url, reason) => {
    const created = await post('/v1/tools', tool(url)).expect(400);
    expect(created.body.errors.join(' ')).toContain(reason);
    expect(created.body.errors.join(' ')).toContain('OUTBOUND_ALLOWLIST');
    const call = await post('/v1/calls', { phone_number: uniqueNumber(), task: 't', tools: [tool(url)] }).expect(400);
    expect(call.body.errors.join(' ')).toContain(reason);
    const dd = await post('/v1/dynamic_data/test', { dynamic_data: [{ url }] }).expect(400);
    expect(dd.body.errors.join(' ')).toContain(reason);
  });

  it('refuses plain http to a host that is not allow-listed', async () => {
    const res = await post('/v1/tools', tool('http://api.example.com/x')).expect(400);
    expect(res.body.errors.join(' ')).toContain('plain http is allowed only for hosts and ports in the operator');
  });

  it('refuses a host name that resolves to a loopback address when the request is made', async () => {
    const res = await post('/v1/dynamic_data/test', { dynamic_data: [{ url: `https://localhost:${api.port}/secret` }] }).expect(200);
    expect(res.body.responses[0]).toMatchObject({
      ok: false,
      status: null,
      error: 'address_not_allowed: localhost (127.0.0.1) is a loopback address and is not in OUTBOUND_ALLOWLIST',
    });
    expect(api.at('/secret')).toHaveLength(0);
  });

  it('in a call, reports a refused tool to the model and the event stream, and the call goes on', async () => {
    const marker = `ssrf-${uid()}`;
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { utterances: ['Look it up please.', 'Bye.'] });
    stack.model.scripts.add({ match: marker, replies: [{ tool_call: { name: 'LookupThing', arguments: {} } }] });
    const callId = await sendCall(stack, {
      phone_number: to,
      first_sentence: 'Hello.',
      task: `Look things up. Marker ${marker}`,
      tools: [{ ...tool(`https://localhost:${api.port}/secret`), speech: 'Let me check.' }],
      dynamic_data: [{ url: `https://localhost:${api.port}/secret`, response_data: [{ name: 's', data: '$.s' }] }],
    });
    const call = await waitForCompletion(stack, callId);
    expect(call.queue_status).toBe('complete');
    expect(api.at('/secret')).toHaveLength(0);
    const said = call.transcripts.map((t: { text: string }) => t.text);
    expect(said[said.indexOf('Let me check.') + 1]).toContain('address_not_allowed');
    const evs = await events(stack, callId);
    expect(evs.find((e) => e.level === 'tool')).toMatchObject({ category: 'error', message: expect.stringContaining('localhost (127.0.0.1) is a loopback address') });
    expect(evs.find((e) => e.level === 'dynamic_data')).toMatchObject({ category: 'error', message: expect.stringContaining('address_not_allowed') });
  });
});

describe('SSRF guard: redirects', () => {
  let stack: Stack;
  let api: ToolServer;
  beforeAll(async () => {
    // `localhost` is listed by name with the tool server's port; the literal 127.0.0.1 is not.
    api = await startToolServer();
    stack = await startStack({ worker: false, env: { OUTBOUND_ALLOWLIST: `localhost:${api.port}` } });
    api.on('/redirect', (_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', `http://127.0.0.1:${api.port}/secret`);
      res.end();
    });
    api.on('/fine', (_req, res) => json(res, 200, { fine: true }));
  });
  afterAll(async () => {
    await api.close();
    await stack.stop();
  });

  it('follows an allow-listed host but refuses its redirect to an address that is not listed', async () => {
    const res = await request(stack.apiUrl)
      .post('/v1/dynamic_data/test')
      .set('authorization', stack.org.apiKey)
      .send({ dynamic_data: [{ url: `http://localhost:${api.port}/redirect` }, { url: `http://localhost:${api.port}/fine`, response_data: [{ name: 'fine', data: '$.fine' }] }] })
      .expect(200);
    expect(res.body.responses[0]).toMatchObject({ ok: false, error: 'address_not_allowed: 127.0.0.1 is a loopback address and is not in OUTBOUND_ALLOWLIST' });
    expect(api.at('/redirect')).toHaveLength(1);
    expect(api.at('/secret')).toHaveLength(0);
    // The listed host itself is reachable, over plain http too.
    expect(res.body.variables).toEqual({ fine: true });
  });
});

/**
 * The deployment's own services: with the default allow-list nothing local is reachable, and even
 * an operator who opens every loopback port cannot open Temporal, the store, the simulator, the
 * offline model or the API itself to a user-chosen URL.
 */
describe('SSRF guard: the deployment\'s own services', () => {
  const own = (stack: Stack) => {
    const temporal = process.env.TEMPORAL_ADDRESS!;
    const mongo = new URL(process.env.MONGODB_URI!.replace(/^mongodb:/, 'http:'));
    return [
      `http://${temporal}/api/v1/namespaces/default/workflows`,
      `http://127.0.0.1:${mongo.port}/`,
      `${stack.apiUrl}/v1/calls`,
      `${stack.simulator.url}/2010-04-01/Accounts`,
      `${stack.model.url}/models`,
    ];
  };

  it.each([
    ['the default allow-list', ''],
    ['an allow-list that opens every loopback port', '127.0.0.1:*,localhost:*,[::1]:*'],
  ])('refuses them with %s, in every spelling', async (_label, allowList) => {
    const stack = await startStack({ worker: false, env: { OUTBOUND_ALLOWLIST: allowList } });
    try {
      const urls = own(stack).flatMap((u) => {
        const port = new URL(u).port;
        return [u, u.replace('127.0.0.1', '2130706433'), u.replace('127.0.0.1', 'localhost.'), `http://[::ffff:7f00:1]:${port}/`];
      });
      const res = await request(stack.apiUrl)
        .post('/v1/dynamic_data/test')
        .set('authorization', stack.org.apiKey)
        .send({ dynamic_data: urls.map((url) => ({ url, method: 'POST', headers: { 'X-CSRF-TOKEN': 'a', Cookie: '_csrf=a' }, body: { reason: 'x' } })) });
      // Refused when the request is read, before anything is sent: every entry, each with its reason.
      expect(res.status).toBe(400);
      const errors: string[] = res.body.errors;
      urls.forEach((_u, i) => expect(errors.find((e) => e.startsWith(`dynamic_data[${i}].url`))).toMatch(/own services|loopback address/));
      const tool = await request(stack.apiUrl)
        .post('/v1/tools')
        .set('authorization', stack.org.apiKey)
        .send({ name: 'Peek', description: 'x', url: `${stack.simulator.url}/x` })
        .expect(400);
      expect(tool.body.errors.join(' ')).toMatch(/own services|loopback address/);
    } finally {
      await stack.stop();
    }
  });
});
