import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import request from 'supertest';
import twilio from 'twilio';
import { inboundCallId } from '../../src/calls/inbound-call';
import { callWorkflowId } from '../../src/ids';
import type { SimulatedCall } from '../../src/simulator/carrier/simulated-call';
import { events as callEvents, uniqueNumber, waitForCompletion } from '../helpers/calls';
import { replayAndMaybeRecord } from '../helpers/histories';
import { eventually } from '../helpers/poll';
import { createPathway, restaurantPathway } from '../helpers/pathway-fixtures';
import { startStack, TEST_SIMULATOR_AUTH_TOKEN, type Stack } from '../helpers/stack';

/**
 * Incoming calls, every layer real: a number bought through the API, its agent set, and the carrier
 * simulator's caller dialling in → signed voice webhook (no call_id) → call workflow → offline
 * model → the call record, its events and the calls list. Bad input: an unconfigured number, a
 * bad signature and another organisation's number start nothing.
 */
describe('e2e: inbound calls', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });
  afterEach(() => {
    expect(stack.model.scripts.clear()).toBe(0);
  });

  const api = () => request(stack.apiUrl);
  const buyNumber = async (apiKey = stack.org.apiKey) =>
    (await api().post('/v1/inbound/purchase').set('authorization', apiKey).send({ area_code: '628' }).expect(200)).body.phone_number as string;
  const configure = (phone: string, agent: Record<string, unknown>, apiKey = stack.org.apiKey) =>
    api().post(`/v1/inbound/${encodeURIComponent(phone)}`).set('authorization', apiKey).send(agent).expect(200);
  const callIdOf = (sim: SimulatedCall) => inboundCallId(sim.req.accountSid, sim.sid);
  const lines = (call: Record<string, any>) => call.transcripts.map((t: { user: string; text: string }) => `${t.user}: ${t.text}`);
  const voiceUrl = () => new URL('/v1/telephony/twilio/voice', stack.endpoints.publicBaseUrl).toString();
  const nothingStarted = async (callId: string) => {
    expect(await stack.db.collections.calls.countDocuments({ _id: callId })).toBe(0);
    await expect(stack.temporal.client.workflow.getHandle(callWorkflowId(callId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  };

  it("answers a caller with the number's prompt agent: transcript, record, events, the inbound list and the Direction attribute", async () => {
    const phone = await buyNumber();
    const caller = uniqueNumber();
    await configure(phone, { prompt: `You answer for Acme support. Caller number is {{phone_number}}. Called {{to}}.`, metadata: { team: 'support' } });
    stack.model.scripts.add({ match: `Caller number is ${caller}. Called ${phone}.`, replies: [{ content: 'Acme support, how can I help?' }] });

    const sim = stack.simulator.placeInboundCall({
      to: phone,
      from: caller,
      script: { utterances: ['I need help with my order.', 'Thanks, goodbye.'] },
      sipHeaders: { 'X-Ticket': 'T-1', 'X-Huge': 'x'.repeat(5000) },
    });
    await sim.done;
    expect(sim.errors).toEqual([]);
    expect(sim.rejected).toBe(false);
    const callId = callIdOf(sim);
    const call = await waitForCompletion(stack, callId);
    expect(call).toMatchObject({
      call_id: callId, inbound: true, from: caller, to: phone, completed: true, queue_status: 'complete', status: 'completed', metadata: { team: 'support' },
    });
    expect(call.variables).toMatchObject({ phone_number: caller, from: caller, to: phone, call_id: callId });
    expect(lines(call)[0]).toBe('assistant: Acme support, how can I help?');
    expect(lines(call)).toContain('user: I need help with my order.');
    // What the caller heard is what the record says the agent said.
    expect(sim.transcript.filter((l) => l.speaker === 'agent').map((l) => l.text)).toEqual(
      call.transcripts.filter((t: { user: string }) => t.user === 'assistant').map((t: { text: string }) => t.text),
    );

    const messages = (await callEvents(stack, callId)).map((e) => e.message);
    expect(messages[0]).toBe('Incoming call with 1 SIP header(s)');
    expect(messages).toContain('1 SIP header(s) left out: a malformed name, a value over 1024 characters, or more than 50 headers');
    expect(messages).toContain('Incoming call answered');
    expect(messages.some((m) => m.startsWith('Dialling'))).toBe(false);
    expect(messages).toContainEqual(expect.stringMatching(/^Call ended: completed/));
    // The oversized value is nowhere in the record.
    expect(JSON.stringify(call)).not.toContain('x'.repeat(1025));

    const inboundList = (await api().get('/v1/calls?inbound=true').set('authorization', stack.org.apiKey).expect(200)).body.calls;
    expect(inboundList.map((c: { call_id: string }) => c.call_id)).toContain(callId);
    expect(inboundList.every((c: { inbound: boolean }) => c.inbound)).toBe(true);
    const outboundList = (await api().get('/v1/calls?inbound=false').set('authorization', stack.org.apiKey).expect(200)).body.calls;
    expect(outboundList.map((c: { call_id: string }) => c.call_id)).not.toContain(callId);

    await eventually(async () => {
      const found = [];
      for await (const wf of stack.temporal.client.workflow.list({ query: `CallId = "${callId}" AND Direction = "inbound" AND Channel = "phone"` })) found.push(wf);
      return found.length === 1 ? found : null;
    });
    await replayAndMaybeRecord(stack.temporal.client, callWorkflowId(callId), 'phone-call-inbound');
  });

  it('answers with a pathway agent', async () => {
    const phone = await buyNumber();
    const pathwayId = await createPathway(stack, restaurantPathway('https://booking.example.com/reserve'));
    await configure(phone, { pathway_id: pathwayId });
    const sim = stack.simulator.placeInboundCall({ to: phone, from: uniqueNumber(), script: { utterances: [] } });
    await sim.done;
    const call = await waitForCompletion(stack, callIdOf(sim));
    expect(call).toMatchObject({ inbound: true, queue_status: 'complete' });
    expect(lines(call)[0]).toMatch(/^assistant: Hello, thanks for calling Bella Vista/);
    expect(call.pathway_logs[0]).toMatchObject({ kind: 'start' });
  });

  const fetchRecording = (callId: string, accept?: string) => {
    const req = api().get(`/v1/calls/${callId}/recording`).set('authorization', stack.org.apiKey);
    if (!accept) return req;
    return req
      .set('accept', accept)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
  };

  it('records a call to a number whose agent has record: true, and serves the recording as JSON and audio', async () => {
    const phone = await buyNumber();
    await configure(phone, { prompt: 'You take messages for Acme. Recorded line.', record: true });
    stack.model.scripts.add({ match: 'Recorded line.', replies: [{ content: 'Acme, this call is recorded. Your message?' }] });
    const sim = stack.simulator.placeInboundCall({ to: phone, from: uniqueNumber(), script: { utterances: ['Please call me back.', 'Bye.'] } });
    await sim.done;
    expect(sim.errors).toEqual([]);
    const callId = callIdOf(sim);
    const call = await waitForCompletion(stack, callId);
    expect(call).toMatchObject({ inbound: true, record: true, queue_status: 'complete' });
    // The carrier's recording of this call (started by the answer's <Start><Recording>), delivered to the recording webhook.
    expect(sim.recordingSid).toMatch(/^RE[0-9a-f]{32}$/);
    expect(call.recording_url).toBe(`${stack.simulator.url}/2010-04-01/Accounts/${sim.req.accountSid}/Recordings/${sim.recordingSid}`);
    const messages = (await callEvents(stack, callId)).map((e) => e.message);
    expect(messages.filter((m) => /record/i.test(m))).toEqual([]);
    expect((await fetchRecording(callId).expect(200)).body).toEqual({ status: 'success', url: call.recording_url });
    const audio = await fetchRecording(callId, 'audio/mpeg').expect(200);
    expect(audio.headers['content-type']).toMatch(/^audio\/mpeg/);
    expect((audio.body as Buffer).length).toBeGreaterThan(1000);
    // The answer's TwiML started it (<Start><Recording>): no activity asked the carrier's REST API.
    const history = await stack.temporal.client.workflow.getHandle(callWorkflowId(callId)).fetchHistory();
    const activities = history.events!.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(activities).not.toContain('startRecording');
    await replayAndMaybeRecord(stack.temporal.client, callWorkflowId(callId), 'phone-call-inbound-recorded');
  });

  it('records an own-account number on that account', async () => {
    const acct = { sid: `AC${randomBytes(16).toString('hex')}`, token: randomBytes(16).toString('hex') };
    stack.simulator.addAccount(acct.sid, acct.token);
    const key = (await api().post('/v1/accounts').set('authorization', stack.org.apiKey).send({ account_sid: acct.sid, auth_token: acct.token }).expect(200)).body
      .encrypted_key as string;
    const held = stack.simulator.addNumber(acct.sid, uniqueNumber());
    await api().post('/v1/inbound/insert').set('authorization', stack.org.apiKey).set('encrypted_key', key).send({ numbers: [held.phoneNumber] }).expect(200);
    await api()
      .post(`/v1/inbound/${encodeURIComponent(held.phoneNumber)}`)
      .set('authorization', stack.org.apiKey)
      .set('encrypted_key', key)
      .send({ prompt: 'Own line, recorded.', record: true })
      .expect(200);
    const sim = stack.simulator.placeInboundCall({ to: held.phoneNumber, from: uniqueNumber(), script: { utterances: ['Bye.'] } });
    await sim.done;
    // Every webhook, the recording's included, was signed with the account's own token and accepted.
    expect(sim.errors).toEqual([]);
    const call = await waitForCompletion(stack, callIdOf(sim));
    expect(call.recording_url).toBe(`${stack.simulator.url}/2010-04-01/Accounts/${acct.sid}/Recordings/${sim.recordingSid}`);
    const audio = await fetchRecording(call.call_id, 'audio/wav').expect(200);
    expect((audio.body as Buffer).subarray(0, 4).toString('latin1')).toBe('RIFF');
  });

  it('has no recording without record: true', async () => {
    const phone = await buyNumber();
    await configure(phone, { prompt: 'Not recorded.' });
    const sim = stack.simulator.placeInboundCall({ to: phone, from: uniqueNumber(), script: { utterances: ['Bye.'] } });
    await sim.done;
    const call = await waitForCompletion(stack, callIdOf(sim));
    expect(sim.recordingSid).toBeNull();
    expect(call.recording_url).toBeNull();
    await fetchRecording(call.call_id).expect(404);
  });

  it('a caller who hangs up at once is still recorded: the answer itself starts the recording', async () => {
    const phone = await buyNumber();
    await configure(phone, { prompt: 'Recorded, but the caller is gone.', record: true });
    const sim = stack.simulator.placeInboundCall({ to: phone, from: uniqueNumber(), script: { utterances: [], hangUpAfterMs: 0 } });
    await sim.done;
    const started = Date.now();
    const call = await waitForCompletion(stack, callIdOf(sim));
    expect(call).toMatchObject({ completed: true, queue_status: 'complete' });
    // The carrier ran <Start><Recording> before anything else in the answer, so the moment on the line is recorded.
    expect(sim.recordingSid).toMatch(/^RE[0-9a-f]{32}$/);
    expect(call.recording_url).toContain(sim.recordingSid);
    const messages = (await callEvents(stack, call.call_id)).map((e) => e.message);
    expect(messages.filter((m) => /record/i.test(m))).toEqual([]);
    expect(Date.now() - started).toBeLessThan(25_000);
  });

  it('rejects a call to a number without an agent, starts nothing, and shows the organisation why', async () => {
    const phone = await buyNumber();
    const sim = stack.simulator.placeInboundCall({ to: phone, from: uniqueNumber() });
    await sim.done;
    expect(sim.errors).toEqual([]);
    expect(sim.rejected).toBe(true);
    expect(sim.answeredAt).toBeNull();
    const callId = callIdOf(sim);
    await expect(stack.temporal.client.workflow.getHandle(callWorkflowId(callId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    const call = (await api().get(`/v1/calls/${callId}`).set('authorization', stack.org.apiKey).expect(200)).body;
    expect(call).toMatchObject({ inbound: true, to: phone, completed: true, queue_status: 'call_error', status: 'failed' });
    expect(call.error_message).toMatch(/^Rejected: the number has no agent/);
    const events = (await api().get(`/v1/event_stream/${callId}`).set('authorization', stack.org.apiKey).expect(200)).body;
    expect(JSON.stringify(events)).toContain('Rejected: the number has no agent');
  });

  const incomingForm = (to: string, accountSid = stack.config.telephony.simulatorAccountSid) => ({
    CallSid: `CA${randomBytes(16).toString('hex')}`, AccountSid: accountSid, To: to, From: uniqueNumber(), CallStatus: 'ringing', Direction: 'inbound',
  });

  it('answers a voice webhook without a valid signature with 403, and starts nothing', async () => {
    const phone = await buyNumber();
    await configure(phone, { prompt: 'Never reached.' });
    const form = incomingForm(phone);
    await api().post('/v1/telephony/twilio/voice').type('form').send(form).expect(403);
    await api().post('/v1/telephony/twilio/voice').type('form').set('x-twilio-signature', 'bm90IGEgc2lnbmF0dXJl').send(form).expect(403);
    // Signed, but over other parameters than those sent.
    const signature = twilio.getExpectedTwilioSignature(TEST_SIMULATOR_AUTH_TOKEN, voiceUrl(), { ...form, From: '+15555550100' });
    await api().post('/v1/telephony/twilio/voice').type('form').set('x-twilio-signature', signature).send(form).expect(403);
    await nothingStarted(inboundCallId(form.AccountSid, form.CallSid));
  });

  it("cannot reach another organisation's number: not through its own account, nor by claiming an account that does not hold it", async () => {
    const phone = await buyNumber();
    await configure(phone, { prompt: 'Never reached.' });
    const other = await stack.newOrg();
    const acct = { sid: `AC${randomBytes(16).toString('hex')}`, token: randomBytes(16).toString('hex') };
    stack.simulator.addAccount(acct.sid, acct.token);
    await api().post('/v1/accounts').set('authorization', other.apiKey).send({ account_sid: acct.sid, auth_token: acct.token }).expect(200);

    // Signed by the other organisation's own account: that account holds no such number here.
    const ownForm = incomingForm(phone, acct.sid);
    await api().post('/v1/telephony/twilio/voice').type('form').set('x-twilio-signature', twilio.getExpectedTwilioSignature(acct.token, voiceUrl(), ownForm)).send(ownForm).expect(403);
    await nothingStarted(inboundCallId(ownForm.AccountSid, ownForm.CallSid));

    // Signed by the server's account but for an account that does not hold the number: rejected.
    const claimed = incomingForm(phone, acct.sid);
    const res = await api()
      .post('/v1/telephony/twilio/voice')
      .type('form')
      .set('x-twilio-signature', twilio.getExpectedTwilioSignature(TEST_SIMULATOR_AUTH_TOKEN, voiceUrl(), claimed))
      .send(claimed)
      .expect(200);
    expect(res.text).toContain('<Reject');
    await nothingStarted(inboundCallId(claimed.AccountSid, claimed.CallSid));

    // A number nobody has: rejected too. And the status callback of a call that never started is quietly accepted.
    const unknown = incomingForm('+14155550000');
    const sign = (url: string, form: Record<string, string>) => twilio.getExpectedTwilioSignature(TEST_SIMULATOR_AUTH_TOKEN, url, form);
    expect((await api().post('/v1/telephony/twilio/voice').type('form').set('x-twilio-signature', sign(voiceUrl(), unknown)).send(unknown).expect(200)).text).toContain('<Reject');
    const statusUrl = new URL('/v1/telephony/twilio/status', stack.endpoints.publicBaseUrl).toString();
    const done = { ...unknown, CallStatus: 'completed' };
    await api().post('/v1/telephony/twilio/status').type('form').set('x-twilio-signature', sign(statusUrl, done)).send(done).expect(204);

    // The organisation's own calls stay its own.
    const sim = stack.simulator.placeInboundCall({ to: phone, from: uniqueNumber(), script: { utterances: [] } });
    await sim.done;
    const callId = callIdOf(sim);
    await waitForCompletion(stack, callId);
    await api().get(`/v1/calls/${callId}`).set('authorization', other.apiKey).expect(404);
  });

  it('places inbound calls through the simulator control API, and refuses a number it did not hand out', async () => {
    await request(stack.simulator.url).post('/_sim/inbound_calls').send({ to: '+14155550001', from: '+14155550002' }).expect(404);
    await request(stack.simulator.url).post('/_sim/inbound_calls').send({ to: 'not a number', from: '+14155550002' }).expect(400);
    const phone = await buyNumber();
    await configure(phone, { prompt: 'Short call.' });
    const placed = await request(stack.simulator.url)
      .post('/_sim/inbound_calls')
      .send({ to: phone, from: '+14155550002', script: { utterances: [] }, sip_headers: { 'X-Account': 'A-1' } })
      .expect(201);
    expect(placed.body).toMatchObject({ direction: 'inbound', to: phone, simulated: true });
    const sim = stack.simulator.calls.get(placed.body.sid)!;
    await sim.done;
    await waitForCompletion(stack, callIdOf(sim));
  });
});
