import request from 'supertest';
import { callWorkflowId } from '../../src/ids';
import { events, getCall, sendCall, uniqueNumber } from '../helpers/calls';
import { eventually } from '../helpers/poll';
import { startStack, uid, type Stack } from '../helpers/stack';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

/**
 * After the call, end to end: summary and analysis through the offline model (scripted for exact
 * values), then the signed webhook to a local receiver, its retries and its failures.
 */
describe('post-call: summary, analysis, signed webhook', () => {
  let stack: Stack;
  let receiver: WebhookReceiver;
  let secret: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    stack = await startStack({ allow: [receiver.url] });
    const res = await request(stack.apiUrl).post('/v1/webhooks/signing_secret').set('authorization', stack.org.apiKey).expect(200);
    secret = res.body.signing_secret;
  });
  afterAll(async () => {
    await receiver.close();
    await stack.stop();
  });

  /** A scripted conversation that ends with the callee's goodbye. */
  const callee = (...utterances: string[]) => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: [...utterances, 'Okay, bye now.'] });
    return to;
  };
  /** The call once its workflow, post-call phase included, has finished. */
  const settled = async (id: string) => {
    await stack.temporal.client.workflow.getHandle(callWorkflowId(id)).result();
    return getCall(stack, id);
  };

  it('stores summary and analysis, then delivers the call as GET /v1/calls/{id} shows it, signed per the seed', async () => {
    const tag = uid();
    stack.model.scripts.add({ match: `sum-${tag}`, replies: [{ json: { summary: 'Ada booked three rooms and wants a call back.' } }] });
    stack.model.scripts.add({ match: `ana-${tag}`, replies: [{ json: { email: 'ada@example.com', wants_callback: true, num_rooms: 3 } }] });
    const id = await sendCall(stack, {
      phone_number: callee('My email is ada@example.com and I need three rooms.', 'Yes, please call me back.'),
      task: 'Book hotel rooms.',
      summary_prompt: `Summarise in one sentence. sum-${tag}`,
      analysis_prompt: `Extract the booking. ana-${tag}`,
      analysis_schema: { email: 'string', wants_callback: 'boolean', num_rooms: 'number' },
      webhook: `${receiver.url}/ok/${tag}`,
    });
    const [hook] = await eventually(async () => (receiver.at(`/ok/${tag}`).length > 0 ? receiver.at(`/ok/${tag}`) : null), 30_000);
    const call = await getCall(stack, id);

    expect(hook!.verifiedAsSeed(secret)).toBe(true);
    expect(hook!.headers['x-webhook-signature']).toMatch(/^[0-9a-f]{64}$/);
    expect(hook!.headers).toMatchObject({ 'content-type': 'application/json', 'x-webhook-event': 'call', 'x-webhook-attempt': '1' });
    expect(hook!.raw).toBe(JSON.stringify(hook!.body));
    expect(call).toMatchObject({
      queue_status: 'complete',
      error_message: null,
      summary: 'Ada booked three rooms and wants a call back.',
      analysis: { email: 'ada@example.com', wants_callback: true, num_rooms: 3 },
      analysis_schema: { email: 'string', wants_callback: 'boolean', num_rooms: 'number' },
    });
    expect(hook!.body).toEqual(call);
    const messages = (await events(stack, id)).map((e) => e.message);
    expect(messages).toEqual(expect.arrayContaining(['Summary generated (45 characters)', 'Analysis complete (3/3 fields filled)']));
    expect(messages.find((m) => m?.startsWith('Webhook (call) attempt 1'))).toMatch(new RegExp(`to http://127\\.0\\.0\\.1:\\d+/ok/${tag}: HTTP 200 in \\d+ ms$`));
  });

  it('summarises every connected call, retries a webhook answering 500, and keeps its delivery id', async () => {
    const tag = uid();
    receiver.respond(`/flaky/${tag}`, [500, 200]);
    const id = await sendCall(stack, { phone_number: callee('I would like to hear about your plans.'), task: 'Explain the plans.', webhook: `${receiver.url}/flaky/${tag}` });
    const call = await settled(id);
    expect(call.queue_status).toBe('complete');
    // No summary_prompt: Bland still summarises (the offline model's summary is the transcript's opening).
    expect(call.summary).toEqual(expect.any(String));
    expect(call.summary.length).toBeGreaterThan(0);
    const hooks = receiver.at(`/flaky/${tag}`);
    expect(hooks.map((h) => h.headers['x-webhook-attempt'])).toEqual(['1', '2']);
    expect(hooks[0]!.headers['x-webhook-id']).toBe(hooks[1]!.headers['x-webhook-id']);
    expect(hooks.every((h) => h.verifiedAsSeed(secret))).toBe(true);
    const webhookEvents = (await events(stack, id)).filter((e) => e.message!.startsWith('Webhook (call)'));
    expect(webhookEvents.map((e) => [e.category, /HTTP (\d+)/.exec(e.message!)?.[1]])).toEqual([['error', '500'], ['info', '200']]);
  });

  it('ends complete_error when the webhook answers 404, without retrying, visible in the call and its events', async () => {
    const tag = uid();
    receiver.respond(`/gone/${tag}`, [404]);
    const id = await sendCall(stack, { phone_number: callee('Hello there.'), task: 'Say hello.', webhook: `${receiver.url}/gone/${tag}` });
    const call = await settled(id);
    expect(call.queue_status).toBe('complete_error');
    expect(call.error_message).toMatch(new RegExp(`^Webhook failed: webhook http://127\\.0\\.0\\.1:\\d+/gone/${tag} answered HTTP 404$`));
    expect(receiver.at(`/gone/${tag}`)).toHaveLength(1);
    const evs = await events(stack, id);
    expect(evs.filter((e) => e.category === 'error').map((e) => e.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Webhook \(call\) attempt 1 to .*: HTTP 404/), call.error_message]),
    );
  });

  it('refuses a webhook to a private address outside the allow-list when the call is sent, as tools are', async () => {
    for (const webhook of ['http://10.255.255.1/hook', 'https://10.255.255.1/hook', 'file:///etc/passwd', 'gopher://example.com/x']) {
      const res = await request(stack.apiUrl)
        .post('/v1/calls')
        .set('authorization', stack.org.apiKey)
        .send({ phone_number: callee('Hi.'), task: 'Say hi.', webhook })
        .expect(400);
      expect(res.body).toMatchObject({ status: 'error', errors: [expect.stringMatching(/^webhook /)] });
    }
  });

  it('refuses, when it is sent, a webhook whose name resolves to a private address', async () => {
    const id = await sendCall(stack, { phone_number: callee('Hi.'), task: 'Say hi.', webhook: 'https://localhost:1/hook' });
    const call = await settled(id);
    expect(call.queue_status).toBe('complete_error');
    expect(call.error_message).toMatch(/^Webhook failed: webhook to https:\/\/localhost:1\/hook refused: localhost \((127\.0\.0\.1|::1)\) is a loopback address and is not in OUTBOUND_ALLOWLIST$/);
  });

  it('marks complete_error when the model keeps answering the wrong type, and says which field', async () => {
    const tag = uid();
    stack.model.scripts.add({ match: `ana-${tag}`, replies: [1, 2, 3].map(() => ({ json: { num_rooms: 'three' } })) });
    const id = await sendCall(stack, {
      phone_number: callee('Three rooms please.'),
      task: 'Book rooms.',
      analysis_prompt: `ana-${tag}`,
      analysis_schema: { num_rooms: 'number' },
      webhook: `${receiver.url}/bad-analysis/${tag}`,
    });
    const call = await settled(id);
    expect(call.analysis).toBeNull();
    expect(call.queue_status).toBe('complete_error');
    expect(call.error_message).toBe(
      `Analysis failed: call_analysis: the model's answer does not match the schema ($.num_rooms: expected number or null, got "three")`,
    );
    // The webhook still goes out, and tells the truth about the failure.
    expect(receiver.at(`/bad-analysis/${tag}`)[0]!.body).toMatchObject({ queue_status: 'complete_error', error_message: call.error_message });
  });

  it('sends the event-stream entries that webhook_events names, before the call itself', async () => {
    const tag = uid();
    const id = await sendCall(stack, { phone_number: callee('Tell me more.'), task: 'Chat.', webhook: `${receiver.url}/events/${tag}`, webhook_events: ['queue', 'latency'] });
    await settled(id);
    const hooks = receiver.at(`/events/${tag}`);
    expect(hooks.map((h) => h.headers['x-webhook-event'])).toEqual(['events', 'call']);
    const sent = hooks[0]!.body as { call_id: string; events: Array<{ level: string; category: string; message: string }> };
    expect(sent.call_id).toBe(id);
    expect(sent.events.length).toBeGreaterThan(1);
    expect(sent.events.every((e) => e.level === 'queue' || e.category === 'performance')).toBe(true);
    expect(sent.events.map((e) => e.message)).toContain('Call queued');
    expect(sent.events.some((e) => e.message.startsWith('Agent turn'))).toBe(true);
    expect(hooks[0]!.verifiedAsSeed(secret)).toBe(true);
  });

  it('rotates the signing secret: shown once, different each time, stored only sealed', async () => {
    const rotate = () => request(stack.apiUrl).post('/v1/webhooks/signing_secret').set('authorization', stack.org.apiKey);
    const a = (await rotate().expect(200)).body.signing_secret as string;
    const b = (await rotate().expect(200)).body.signing_secret as string;
    expect(a).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(b).not.toBe(a);
    const stored = await stack.db.collections.webhookSecrets.findOne({ _id: stack.org.id, org_id: stack.org.id });
    expect(stored!.secret).toMatch(/^v1\./);
    expect(stored!.secret).not.toContain(b.slice(6));
    const bad = await rotate().send({ secret: 'mine' }).expect(400);
    expect(bad.body).toMatchObject({ status: 'error', errors: ['This endpoint takes no parameters.'] });
    await request(stack.apiUrl).post('/v1/webhooks/signing_secret').expect(401);
  });
});
