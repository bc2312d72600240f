import request from 'supertest';
import { ConfigError, loadConfig } from '../../src/config';
import { hashAgentSessionToken } from '../../src/agents/session-tokens';
import { startStack, type Stack } from '../helpers/stack';

/** POST /web/demo-token, the built-in page's default token URL: development only, off by default (no worker). */
describe('API: web demo tokens', () => {
  let off: Stack;
  let on: Stack;
  beforeAll(async () => {
    [off, on] = await Promise.all([startStack({ worker: false }), startStack({ worker: false, env: { WEB_DEMO_TOKENS: 'true' } })]);
  });
  afterAll(async () => {
    await Promise.all([off?.stop(), on?.stop()]);
  });
  const newAgent = async (stack: Stack) => {
    const res = await request(stack.apiUrl).post('/v1/agents').set('authorization', stack.org.apiKey).send({ prompt: 'Take bookings.' });
    expect(res.status).toBe(200);
    return res.body.agent.agent_id as string;
  };

  it('is a 404 unless the operator turned demo tokens on', async () => {
    const agentId = await newAgent(off);
    const res = await request(off.apiUrl).post('/web/demo-token').send({ agent_id: agentId });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 'error', message: expect.stringMatching(/Demo tokens are off/) });
    expect(await off.db.collections.agentSessionTokens.countDocuments({})).toBe(0);
  });

  it('issues a single-use token for the agent, without a key, when on', async () => {
    const agentId = await newAgent(on);
    const res = await request(on.apiUrl).post('/web/demo-token').send({ agent_id: agentId });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ token: expect.any(String), expires_at: expect.any(String) });
    const stored = await on.db.collections.agentSessionTokens.findOne({ _id: hashAgentSessionToken(res.body.token) });
    expect(stored).toMatchObject({ agent_id: agentId, org_id: on.org.id, used_at: null });
  });

  it('answers bad input with a 4xx in Bland\'s error shape', async () => {
    const unknown = await request(on.apiUrl).post('/web/demo-token').send({ agent_id: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ status: 'error', message: 'Agent not found.' });
    for (const body of [{}, { agent_id: '' }, { agent_id: 7 }, { agent_id: 'x'.repeat(201) }, { agent_id: 'a', extra: 1 }]) {
      const res = await request(on.apiUrl).post('/web/demo-token').send(body);
      expect([JSON.stringify(body), res.status, res.body.status]).toEqual([JSON.stringify(body), 400, 'error']);
    }
    const notJson = await request(on.apiUrl).post('/web/demo-token').set('content-type', 'application/json').send('{"agent_id":');
    expect(notJson.status).toBe(400);
  });

  it('cannot be turned on in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', WEB_DEMO_TOKENS: 'true', ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', WEB_DEMO_TOKENS: 'true', ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') })).toThrow(/WEB_DEMO_TOKENS/);
    expect(loadConfig({ WEB_DEMO_TOKENS: 'true' }).web.demoTokens).toBe(true);
    expect(loadConfig({}).web.demoTokens).toBe(false);
  });
});
