import request from 'supertest';
import WebSocket from 'ws';
import { issueSessionToken } from '../../src/agents/session-tokens';
import { waitForCompletion } from '../helpers/calls';
import { eventually } from '../helpers/poll';
import { startStack, type Stack } from '../helpers/stack';
import { authorize, createAgent, openRaw, rawSession, webCallsOf, webClient } from '../helpers/web-agents';

/**
 * The browser channel's refusals and limits: a session that may not start is refused before
 * anything is stored or started; bad frames get an error frame or a close code; the server stays
 * healthy throughout.
 */
describe('e2e: browser channel refusals and limits', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { WEB_RESUME_GRACE_SECONDS: '2' } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  const healthy = async () => {
    await request(stack.apiUrl).get('/health').expect(200);
  };

  describe('tokens', () => {
    let agentId: string;
    let otherAgent: string;
    beforeAll(async () => {
      agentId = await createAgent(stack, { prompt: 'Chat.', first_sentence: 'Hi.' });
      otherAgent = await createAgent(stack, { prompt: 'Chat too.' });
    });

    it.each([
      ['missing', async () => ''],
      ['unknown', async () => '?token=not-a-token'],
      ['for another agent', async () => `?token=${await authorize(stack, otherAgent)}`],
      ['expired', async () => `?token=${(await issueSessionToken(stack.db, stack.org.id, agentId, new Date(Date.now() - 10 * 60_000))).token}`],
    ])('a %s token is refused with 4401 before anything starts', async (_what, query) => {
      const refused = await rawSession(stack, agentId, await query());
      expect(refused.code).toBe(4401);
      expect(refused.reason.length).toBeGreaterThan(0);
      expect(refused.frames).toEqual([]);
      expect(await webCallsOf(stack, agentId)).toBe(0);
    });

    it('a used token is refused: single use', async () => {
      const other = await createAgent(stack, { prompt: 'Chat.', first_sentence: 'Hi.' });
      const token = await authorize(stack, other);
      const web = webClient(stack);
      await web.client.connect(other, token);
      const again = await rawSession(stack, other, `?token=${token}`);
      expect(again).toMatchObject({ code: 4401, reason: 'The session token has already been used.', frames: [] });
      expect(await webCallsOf(stack, other)).toBe(1);
      await web.client.end();
    });

    it('an unknown or deleted agent is refused with 4404', async () => {
      expect((await rawSession(stack, '00000000-0000-4000-8000-000000000000', '?token=x')).code).toBe(4404);
      const doomed = await createAgent(stack, { prompt: 'Bye.' });
      const token = await authorize(stack, doomed);
      await request(stack.apiUrl).post(`/v1/agents/${doomed}/delete`).set('authorization', stack.org.apiKey).expect(200);
      expect((await rawSession(stack, doomed, `?token=${token}`)).code).toBe(4404);
      expect(await webCallsOf(stack, doomed)).toBe(0);
    });

    it('other upgrade paths are not served', async () => {
      const res = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`${stack.apiUrl.replace(/^http/, 'ws')}/v1/agents`);
        // Listening for 'unexpected-response' leaves the request to us: end it, or its socket outlives the test.
        ws.on('unexpected-response', (req: { destroy(): void }, r: { statusCode: number }) => {
          req.destroy();
          resolve(r.statusCode);
        });
        ws.on('error', () => undefined);
      });
      expect(res).toBe(404);
    });

    it('hostile session URLs are refused and the server stays up', async () => {
      expect((await rawSession(stack, '%E0%A4%A', '?token=x')).code).toBe(4404);
      expect((await rawSession(stack, agentId, '?token=%ZZ&resume=')).code).toBe(4401);
      expect((await rawSession(stack, agentId, `?resume=${'x'.repeat(5000)}`)).code).toBe(4408);
      expect((await rawSession(stack, agentId, '?resume=nodot')).code).toBe(4408);
      await healthy();
    });
  });

  it('max_concurrent_sessions: one more is refused with 4409 without spending its token', async () => {
    const agentId = await createAgent(stack, { prompt: 'Chat.', first_sentence: 'Hi.', max_concurrent_sessions: 1 });
    const first = webClient(stack);
    await first.client.connect(agentId, await authorize(stack, agentId));
    const token = await authorize(stack, agentId);
    const refused = await rawSession(stack, agentId, `?token=${token}`);
    expect(refused.code).toBe(4409);
    expect(await webCallsOf(stack, agentId)).toBe(1);
    await first.client.end();
    await waitForCompletion(stack, first.client.callId!);
    // The refused visitor's token still works once there is room.
    const second = webClient(stack);
    await second.client.connect(agentId, token);
    await second.client.end();
  });

  it('visitors racing for the last place: never more sessions than the limit', async () => {
    const agentId = await createAgent(stack, { prompt: 'Chat.', first_sentence: 'Hi.', max_concurrent_sessions: 1 });
    const tokens = await Promise.all(Array.from({ length: 5 }, () => authorize(stack, agentId)));
    const clients = tokens.map(() => webClient(stack, { autoResume: false }));
    const outcomes = await Promise.allSettled(clients.map((c, i) => c.client.connect(agentId, tokens[i]!)));
    const admitted = outcomes.filter((o) => o.status === 'fulfilled').length;
    expect(admitted).toBeLessThanOrEqual(1);
    expect(outcomes.filter((o) => o.status === 'rejected').every((o) => (o as PromiseRejectedResult).reason.code === '4409')).toBe(true);
    expect(await webCallsOf(stack, agentId)).toBe(admitted);
    await Promise.all(clients.filter((_, i) => outcomes[i]!.status === 'fulfilled').map((c) => c.client.end()));
  });

  it('an unfinished record older than any live session (a start that died half-way) holds no place', async () => {
    const agentId = await createAgent(stack, { prompt: 'Chat.', first_sentence: 'Hi.', max_concurrent_sessions: 1, max_duration: 1 });
    const stale = { _id: `stale-${agentId}`, org_id: stack.org.id, agent_id: agentId, channel: 'web', completed: false, created_at: new Date(Date.now() - 3 * 3600_000) };
    await stack.db.collections.calls.insertOne(stale as never);
    const web = webClient(stack);
    await web.client.connect(agentId, await authorize(stack, agentId));
    expect(await rawSession(stack, agentId, `?token=${await authorize(stack, agentId)}`)).toMatchObject({ code: 4409 });
    await web.client.end();
  });

  describe('bad frames', () => {
    let agentId: string;
    beforeAll(async () => {
      agentId = await createAgent(stack, { prompt: 'Chat.', first_sentence: 'Hi.' });
    });
    const open = async () => openRaw(stack, agentId, `?token=${await authorize(stack, agentId)}`);

    it('malformed frames get bad_frame errors and the session goes on', async () => {
      const s = await open();
      for (const bad of ['not json', '[]', '{"type":"shout"}', '{"type":"message","text":7}', '{"type":"message","text":""}', '{"type":"audio_end"}']) s.send(bad);
      await eventually(async () => s.frames.filter((f) => f.type === 'error').length === 6);
      expect(s.frames.filter((f) => f.type === 'error').every((f) => f.code === 'bad_frame' && f.message.length > 0)).toBe(true);
      s.send({ type: 'message', text: 'x'.repeat(2001) });
      expect(await s.frame((f) => f.type === 'error' && /2000/.test(f.message))).toMatchObject({ code: 'bad_frame' });
      s.send({ type: 'ping' });
      await s.frame((f) => f.type === 'pong');
      s.send({ type: 'message', text: 'Still there?' });
      expect(await s.frame((f) => f.type === 'reply')).toMatchObject({ text: expect.stringContaining('Still there?') });
      s.send({ type: 'end' });
      expect((await s.closed()).code).toBe(1000);
    });

    it('a second message while a turn runs is refused as busy', async () => {
      const s = await open();
      s.send({ type: 'message', text: 'First.' });
      s.send({ type: 'message', text: 'Second.' });
      expect(await s.frame((f) => f.type === 'error')).toMatchObject({ code: 'busy' });
      await s.frame((f) => f.type === 'reply');
      s.send({ type: 'end' });
      await s.closed();
    });

    it('an oversized text frame closes with 1009', async () => {
      const s = await open();
      s.send(JSON.stringify({ type: 'message', text: 'y'.repeat(20_000) }));
      expect((await s.closed()).code).toBe(1009);
      await healthy();
    });

    it('a binary frame where text is expected closes with 1003', async () => {
      const s = await open();
      s.ws.send(Buffer.from([1, 2, 3, 4]));
      expect((await s.closed()).code).toBe(1003);
      await healthy();
    });

    it('a frame larger than any allowed closes with 1009', async () => {
      const s = await open();
      s.ws.send(Buffer.alloc(200 * 1024));
      expect((await s.closed()).code).toBe(1009);
    });

    it('a flood closes with 4429, and the server stays healthy', async () => {
      const s = await open();
      for (let i = 0; i < 200; i++) s.send({ type: 'ping' });
      expect((await s.closed()).code).toBe(4429);
      expect(s.frames.filter((f) => f.type === 'pong').length).toBeLessThan(200);
      await healthy();
      // A new session still works.
      const web = webClient(stack);
      await web.client.connect(agentId, await authorize(stack, agentId));
      expect((await web.client.send('Hello?')).type).toBe('reply');
      await web.client.end();
    });
  });
});
