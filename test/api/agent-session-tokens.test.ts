import { createHash } from 'node:crypto';
import request from 'supertest';
import { issueSessionToken, redeemSessionToken, SESSION_TOKEN_TTL_MS } from '../../src/agents/session-tokens';
import { startStack, type Stack } from '../helpers/stack';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Web agents' session tokens (POST /v1/agents/{agent_id}/authorize) and their redemption, which the
 * browser channel uses (redeemSessionToken), against real FerretDB and Temporal, without a worker.
 */
describe('API: web agent session tokens', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: false });
  });
  afterAll(async () => {
    await stack.stop();
  });
  const me = () => ({
    get: (p: string) => request(stack.apiUrl).get(p).set('authorization', stack.org.apiKey),
    post: (p: string, body?: unknown) => request(stack.apiUrl).post(p).set('authorization', stack.org.apiKey).send(body as object),
  });
  async function createAgent(): Promise<string> {
    const res = await me().post('/v1/agents', { prompt: 'Greet the caller.' }).expect(200);
    return res.body.agent.agent_id;
  }
  it('authorizes a single-use, short-lived token for the agent, stored only as its hash', async () => {
    const id = await createAgent();
    const t0 = Date.now();
    const res = await me().post(`/v1/agents/${id}/authorize`).expect(200);
    expect(res.body).toEqual({ status: 'success', message: expect.any(String), token: expect.stringMatching(UUID), expires_at: expect.any(String) });
    const { token } = res.body;
    const expiresAt = Date.parse(res.body.expires_at);
    expect(expiresAt - t0).toBeGreaterThanOrEqual(SESSION_TOKEN_TTL_MS - 1000);
    expect(expiresAt - t0).toBeLessThanOrEqual(SESSION_TOKEN_TTL_MS + 60_000);

    const rows = await stack.db.collections.agentSessionTokens.find({ agent_id: id }).toArray();
    expect(rows).toHaveLength(1);
    expect(rows[0]!._id).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(token);

    // Another agent's token, a missing one and an unknown one are refused without using the token up.
    const otherAgent = await createAgent();
    expect(await redeemSessionToken(stack.db, otherAgent, token)).toEqual({ ok: false, reason: 'wrong-agent' });
    expect(await redeemSessionToken(stack.db, id, undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(await redeemSessionToken(stack.db, id, '')).toEqual({ ok: false, reason: 'missing' });
    expect(await redeemSessionToken(stack.db, id, 'f'.repeat(36))).toEqual({ ok: false, reason: 'unknown' });
    expect(await redeemSessionToken(stack.db, id, 'x'.repeat(5000))).toEqual({ ok: false, reason: 'unknown' });

    const first = await redeemSessionToken(stack.db, id, token);
    expect(first).toMatchObject({ ok: true, agent: { _id: id, org_id: stack.org.id, prompt: 'Greet the caller.' } });
    expect(await redeemSessionToken(stack.db, id, token)).toEqual({ ok: false, reason: 'used' });
  });

  it('lets exactly one of two racing redemptions win', async () => {
    const id = await createAgent();
    const { token } = await issueSessionToken(stack.db, stack.org.id, id);
    const results = await Promise.all([redeemSessionToken(stack.db, id, token), redeemSessionToken(stack.db, id, token)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toEqual({ ok: false, reason: 'used' });
  });

  it('refuses an expired token, and accepts it until it expires', async () => {
    const id = await createAgent();
    const issuedAt = new Date();
    const { token, expiresAt } = await issueSessionToken(stack.db, stack.org.id, id, issuedAt);
    expect(expiresAt.getTime() - issuedAt.getTime()).toBe(SESSION_TOKEN_TTL_MS);
    expect(await redeemSessionToken(stack.db, id, token, new Date(expiresAt.getTime()))).toEqual({ ok: false, reason: 'expired' });
    expect(await redeemSessionToken(stack.db, id, token, new Date(expiresAt.getTime() + 60_000))).toEqual({ ok: false, reason: 'expired' });
    // An expired attempt does not use the token up: just before expiry it still works, once.
    expect(await redeemSessionToken(stack.db, id, token, new Date(expiresAt.getTime() - 1))).toMatchObject({ ok: true });
  });

  it('deletes an agent in the seed\'s shape; its tokens stop working', async () => {
    const id = await createAgent();
    const { body } = await me().post(`/v1/agents/${id}/authorize`).expect(200);
    const raced = await issueSessionToken(stack.db, stack.org.id, id);
    const del = await me().post(`/v1/agents/${id}/delete`).expect(200);
    expect(del.body).toEqual({ status: 'success', message: `Successfully deleted agent ${id}` });
    expect(await redeemSessionToken(stack.db, id, body.token)).toEqual({ ok: false, reason: 'unknown' });
    expect(await stack.db.collections.agentSessionTokens.countDocuments({ agent_id: id })).toBe(0);
    await me().get(`/v1/agents/${id}`).expect(404);
    await me().post(`/v1/agents/${id}/delete`).expect(404);
    await me().post(`/v1/agents/${id}/authorize`).expect(404);
    expect((await me().get('/v1/agents').expect(200)).body.agents.map((a: { agent_id: string }) => a.agent_id)).not.toContain(id);

    // A token issued as the agent was being deleted (its row written after the tokens were removed) is refused too.
    await stack.db.collections.agentSessionTokens.insertOne({
      _id: createHash('sha256').update(raced.token).digest('hex'), org_id: stack.org.id, agent_id: id, created_at: new Date(), expires_at: new Date(Date.now() + 60_000), used_at: null,
    });
    expect(await redeemSessionToken(stack.db, id, raced.token)).toEqual({ ok: false, reason: 'agent-deleted' });
  });
});
