import { randomUUID } from 'node:crypto';
import request from 'supertest';
import twilio from 'twilio';
import { MAX_TURN_HOLDS, TURN_HOLD_MS } from '../../api/routes/turn-hold';
import { inboundCallId } from '../../src/calls/inbound-call';
import { getCall, sendCall, simCallsTo, uniqueNumber, waitForCompletion } from '../helpers/calls';
import { eventually } from '../helpers/poll';
import { startStack, TEST_SIMULATOR_AUTH_TOKEN, type Stack } from '../helpers/stack';

jest.setTimeout(90_000);

/**
 * A reply that is not ready before the carrier gives up on the webhook (api/routes/turn-hold.ts):
 * the line is held and the carrier comes back for the same reply, instead of dropping the call.
 */
describe('e2e: a slow turn holds the line', () => {
  let stack: Stack;
  // The carrier waits 3 s longer than the hold; the model's first reply takes 3 s longer than that.
  const carrierWaitMs = TURN_HOLD_MS + 3_000;
  beforeAll(async () => {
    stack = await startStack({ simulatorWebhookTimeoutMs: carrierWaitMs });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('answers a webhook whose reply is late with a hold, and the call goes on with that reply', async () => {
    const to = '+14155550177';
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Oh, hello.', 'Bye now.'] });
    stack.model.scripts.add({ match: 'hold-task-marker', replies: [{ content: 'Sorry to keep you, this is the library.', delay_ms: carrierWaitMs + 3_000 }] });
    const callId = await sendCall(stack, { phone_number: to, task: 'Remind them about their book. hold-task-marker' });
    const call = await waitForCompletion(stack, callId, 60_000);
    const sim = simCallsTo(stack, to)[0]!;
    // Without the hold the carrier would have dropped the line at its wait (endedBy 'carrier').
    expect(sim.errors).toEqual([]);
    expect(sim.endedBy).not.toBe('carrier');
    expect(call).toMatchObject({ queue_status: 'complete', status: 'completed' });
    const lines = call.transcripts.map((t: { user: string; text: string }) => `${t.user}: ${t.text}`);
    expect(lines[0]).toBe('assistant: Sorry to keep you, this is the library.');
    expect(lines).toContain('user: Oh, hello.');
    // Said once, though it was asked for twice.
    expect(lines.filter((l: string) => l === lines[0])).toHaveLength(1);
  });

  it('an incoming recorded call whose caller hangs up during the hold is recorded (the hold started the recording)', async () => {
    const phone = (await request(stack.apiUrl).post('/v1/inbound/purchase').set('authorization', stack.org.apiKey).send({ area_code: '628' }).expect(200)).body
      .phone_number as string;
    await request(stack.apiUrl)
      .post(`/v1/inbound/${encodeURIComponent(phone)}`)
      .set('authorization', stack.org.apiKey)
      .send({ prompt: 'Slow desk. hold-inbound-marker', record: true })
      .expect(200);
    stack.model.scripts.add({ match: 'hold-inbound-marker', replies: [{ content: 'Too late.', delay_ms: carrierWaitMs + 3_000 }] });
    // The caller gives up a moment after the hold is on the line, long before the reply.
    const sim = stack.simulator.placeInboundCall({ to: phone, from: uniqueNumber(), script: { utterances: [], hangUpAfterMs: 1_000 } });
    await sim.done;
    expect(sim.errors).toEqual([]);
    const call = await waitForCompletion(stack, inboundCallId(sim.req.accountSid, sim.sid), 60_000);
    expect(call).toMatchObject({ completed: true, record: true });
    expect(sim.recordingSid).toMatch(/^RE[0-9a-f]{32}$/);
    expect(call.recording_url).toContain(sim.recordingSid);
  });

  it('hangs up a turn still not ready after the last hold, and the call records why', async () => {
    const to = '+14155550179';
    // The caller is slow to speak, so the line is open when the carrier comes back after the last hold.
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Hello?'], speechDelayMs: 4_000 });
    const callId = await sendCall(stack, { phone_number: to, task: 'Say hello.' });
    await eventually(async () => ((await getCall(stack, callId)).queue_status === 'started' ? true : null), 20_000);
    // The carrier back after the last hold, for a turn whose reply the server still does not have.
    const path = `/v1/telephony/twilio/turn-wait?call_id=${callId}&update_id=${randomUUID()}&holds=${MAX_TURN_HOLDS}`;
    const params = { CallSid: simCallsTo(stack, to)[0]!.sid };
    const signature = twilio.getExpectedTwilioSignature(TEST_SIMULATOR_AUTH_TOKEN, `${stack.endpoints.publicBaseUrl}${path}`, params);
    const res = await request(stack.apiUrl).post(path).set('x-twilio-signature', signature).type('form').send(params).expect(200);
    expect(res.text).toContain('<Hangup/>');
    const call = await waitForCompletion(stack, callId, 60_000);
    expect(call).toMatchObject({
      queue_status: 'call_error',
      status: 'completed',
      call_ended_by: 'ASSISTANT',
      error_message: `The agent's reply was still not ready after ${MAX_TURN_HOLDS} holds; the line was hung up.`,
    });
  });

  it('refuses a turn-wait without a valid signature, and one naming no update of the call', async () => {
    const to = '+14155550178';
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Hello?'] });
    const callId = await sendCall(stack, { phone_number: to, task: 'Say hello.' });
    await eventually(async () => ((await getCall(stack, callId)).queue_status === 'started' ? true : null), 20_000);
    const path = `/v1/telephony/twilio/turn-wait?call_id=${callId}&update_id=${randomUUID()}&holds=1`;
    const params = { CallSid: simCallsTo(stack, to)[0]!.sid };
    const sign = (token: string, p: string) => twilio.getExpectedTwilioSignature(token, `${stack.endpoints.publicBaseUrl}${p}`, params);
    const post = (p: string, signature: string) => request(stack.apiUrl).post(p).set('x-twilio-signature', signature).type('form').send(params);
    await post(path, sign('not-the-auth-token', path)).expect(403);
    const token = TEST_SIMULATOR_AUTH_TOKEN;
    for (const bad of ['update_id=nope&holds=1', `update_id=${randomUUID()}&holds=0`, `update_id=${randomUUID()}&holds=99`]) {
      const p = `/v1/telephony/twilio/turn-wait?call_id=${callId}&${bad}`;
      const res = await post(p, sign(token, p)).expect(400);
      expect(res.body).toMatchObject({ status: 'error', errors: ['update_id or holds is missing or malformed.'] });
    }
    // An update the call never had: no reply to give, and nothing of the call changes.
    const res = await post(path, sign(token, path));
    expect(res.status).toBeLessThan(500);
    await waitForCompletion(stack, callId);
  });
});
