import request from 'supertest';
import { events, getCall, sendCall, simCallsTo, uniqueNumber, waitForCompletion } from '../helpers/calls';
import { eventually } from '../helpers/poll';
import { startStack, type Stack } from '../helpers/stack';

/** The Send Call contract's outcomes, end to end through the carrier simulator and the offline model. */
describe('call outcomes', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('leaves the voicemail message after the beep and hangs up', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'machine', machineRecordMs: 10_000 });
    const id = await sendCall(stack, { phone_number: to, task: 'Remind them of the appointment.', voicemail_message: 'Hi, this is a reminder of your appointment tomorrow.' });
    const call = await waitForCompletion(stack, id);
    expect(call).toMatchObject({ queue_status: 'complete', answered_by: 'voicemail', call_ended_by: 'ASSISTANT' });
    const sim = simCallsTo(stack, to)[0]!;
    expect(sim.transcript.at(-1)).toMatchObject({ speaker: 'agent', text: 'Hi, this is a reminder of your appointment tomorrow.' });
    expect(call.transcripts.at(-1)).toMatchObject({ user: 'assistant', text: 'Hi, this is a reminder of your appointment tomorrow.' });
    expect((await events(stack, id)).map((e) => e.message)).toContain('Voicemail detected: message left');
  });

  it('hangs up on a machine when voicemail_action is hangup', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'machine', machineRecordMs: 10_000 });
    const id = await sendCall(stack, { phone_number: to, task: 'Say hi.', answered_by_enabled: true, voicemail_action: 'hangup' });
    const call = await waitForCompletion(stack, id);
    expect(call).toMatchObject({ answered_by: 'voicemail', call_ended_by: 'ASSISTANT', status: 'completed' });
    expect(simCallsTo(stack, to)[0]!.endedBy).toBe('api');
  });

  it('reports a human when detection is on', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Yes?', 'Bye.'] });
    const call = await waitForCompletion(stack, await sendCall(stack, { phone_number: to, task: 'Say hi.', answered_by_enabled: true }));
    expect(call.answered_by).toBe('human');
  });

  it('retries no-answer in the same workflow and reaches the person on a later attempt', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'no-answer' });
    const id = await sendCall(stack, { phone_number: to, task: 'Say hi.', retry: { max_attempts: 3, wait_seconds: 1, on: ['no-answer', 'busy'] } });
    await eventually(async () => simCallsTo(stack, to).length >= 1 && simCallsTo(stack, to)[0]!.endedAt);
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Hello.', 'Goodbye.'] });
    const call = await waitForCompletion(stack, id);
    expect(call).toMatchObject({ status: 'completed', queue_status: 'complete' });
    expect(call.attempts.map((a: { status: string }) => a.status)).toEqual(['no-answer', 'completed']);
    expect(simCallsTo(stack, to)).toHaveLength(2);
    const messages = (await events(stack, id)).map((e) => e.message);
    expect(messages).toContain('Attempt 1: no-answer; retrying in 1 s');
  });

  it('gives up after max_attempts of busy', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'busy' });
    const id = await sendCall(stack, { phone_number: to, task: 'Say hi.', retry: { max_attempts: 2, wait_seconds: 0 } });
    const call = await waitForCompletion(stack, id);
    expect(call).toMatchObject({ status: 'busy', queue_status: 'complete', call_ended_by: null });
    expect(call.attempts).toHaveLength(2);
    expect(simCallsTo(stack, to)).toHaveLength(2);
  });

  it('does not retry outcomes the retry object leaves out', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'busy' });
    const call = await waitForCompletion(stack, await sendCall(stack, { phone_number: to, task: 'x', retry: { max_attempts: 3, on: ['no-answer'] } }));
    expect(call.attempts).toHaveLength(1);
  });

  it('transfers by context to the transfer_list number and records transferred_to', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Please transfer me to sales.'] });
    const id = await sendCall(stack, {
      phone_number: to,
      task: 'Help the caller.',
      first_sentence: 'Hello, how can I help?',
      transfer_list: { sales: '+12025550142', support: '+12025550143' },
    });
    const call = await waitForCompletion(stack, id);
    expect(call.error_message).toBeNull();
    expect(call).toMatchObject({ transferred_to: '+12025550142', queue_status: 'complete', call_ended_by: 'ASSISTANT' });
    expect(simCallsTo(stack, to)[0]!.transferredTo).toBe('+12025550142');
  });

  it('makes a transfer to an invalid number a call_error with a clear message', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Transfer me to a human agent please.'] });
    const id = await sendCall(stack, { phone_number: to, task: 'Help.', first_sentence: 'Hi.', transfer_phone_number: '12345' });
    const call = await waitForCompletion(stack, id);
    expect(call.queue_status).toBe('call_error');
    expect(call.error_message).toMatch(/Transfer failed: .* is not a valid phone number/);
    expect(call.transferred_to).toBeNull();
  });

  it('ends the call at max_duration with call_ended_by ASSISTANT', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: Array(200).fill('Tell me more.'), speechDelayMs: 200 });
    const id = await sendCall(stack, { phone_number: to, task: 'Chat.', max_duration: '0.1' });
    const call = await waitForCompletion(stack, id, 40_000);
    expect(call).toMatchObject({ call_ended_by: 'ASSISTANT', status: 'completed' });
    expect(call.call_length).toBeGreaterThanOrEqual(0.09);
    expect(simCallsTo(stack, to)[0]!.endedBy).toBe('api');
  });

  it('stops a live call through POST /v1/calls/{id}/stop', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: Array(200).fill('Go on.'), speechDelayMs: 100 });
    const id = await sendCall(stack, { phone_number: to, task: 'Chat.' });
    await eventually(async () => (await getCall(stack, id)).queue_status === 'started');
    const res = await request(stack.apiUrl).post(`/v1/calls/${id}/stop`).set('authorization', stack.org.apiKey).expect(200);
    expect(res.body).toEqual({ status: 'success', message: 'Call ended successfully.' });
    const call = await waitForCompletion(stack, id);
    expect(call.call_ended_by).toBe('ASSISTANT');
    await request(stack.apiUrl).post(`/v1/calls/${id}/stop`).set('authorization', stack.org.apiKey).expect(409);
    await request(stack.apiUrl).post('/v1/calls/00000000-0000-0000-0000-000000000000/stop').set('authorization', stack.org.apiKey).expect(404);
  });

  it('stops every active call with /v1/calls/active/stop and counts them', async () => {
    const org = await stack.newOrg();
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const to = uniqueNumber();
      stack.simulator.scriptNumber(to, { answer: 'human', utterances: Array(200).fill('Hmm.'), speechDelayMs: 100 });
      const res = await request(stack.apiUrl).post('/v1/calls').set('authorization', org.apiKey).send({ phone_number: to, task: 'Chat.' }).expect(200);
      ids.push(res.body.call_id);
    }
    const res = await request(stack.apiUrl).post('/v1/calls/active/stop').set('authorization', org.apiKey).expect(200);
    expect(res.body).toMatchObject({ status: 'success', num_calls: 2 });
    for (const id of ids) {
      await eventually(async () => (await request(stack.apiUrl).get(`/v1/calls/${id}`).set('authorization', org.apiKey)).body.completed);
    }
  });

  it('waits for the greeting when wait_for_greeting is set', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', greeting: 'Hello, Ada speaking.', utterances: ['Bye.'] });
    const call = await waitForCompletion(stack, await sendCall(stack, { phone_number: to, task: 'Greet them.', wait_for_greeting: true }));
    expect(call.transcripts[0]).toMatchObject({ user: 'user', text: 'Hello, Ada speaking.' });
  });

  it('holds a scheduled call in queued until start_time', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Bye.'] });
    const startAt = new Date(Date.now() + 3000).toISOString();
    const id = await sendCall(stack, { phone_number: to, task: 'Say hi.', start_time: startAt });
    expect((await getCall(stack, id)).queue_status).toBe('queued');
    expect(simCallsTo(stack, to)).toHaveLength(0);
    const call = await waitForCompletion(stack, id);
    expect(new Date(call.started_at).getTime()).toBeGreaterThanOrEqual(Date.parse(startAt));
  });

  it('appends queue and call events at every step', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Bye.'] });
    const id = await sendCall(stack, { phone_number: to, task: 'Say hi.' });
    await waitForCompletion(stack, id);
    // The summary is the last step of the workflow, after the call's final record.
    const list = await eventually(async () => {
      const all = await events(stack, id);
      return all.some((e) => e.message.startsWith('Summary generated')) ? all : null;
    });
    const messages = list.map((e) => e.message);
    expect(messages[0]).toBe('Call queued');
    expect(messages).toEqual(expect.arrayContaining(['Variables resolved', 'Dialling (attempt 1)', 'Call answered (attempt 1)']));
    const ended = messages.findIndex((m) => /^Call ended: completed/.test(m));
    expect(ended).toBeGreaterThan(messages.indexOf('Call answered (attempt 1)'));
    expect(messages.findIndex((m) => m.startsWith('Summary generated'))).toBeGreaterThan(ended);
    expect(list.some((e) => e.category === 'performance')).toBe(true);
    for (const e of list) expect(e).toMatchObject({ call_id: id, level: expect.stringMatching(/^(queue|call)$/), timestamp: expect.any(String) });
    // Another organisation sees neither the events nor the call's controls.
    const other = await stack.newOrg();
    await request(stack.apiUrl).get(`/v1/event_stream/${id}`).set('authorization', other.apiKey).expect(404);
    await request(stack.apiUrl).post(`/v1/calls/${id}/stop`).set('authorization', other.apiKey).expect(404);
    await request(stack.apiUrl).get(`/v1/calls/${id}/recording`).set('authorization', other.apiKey).expect(404);
  });
});

describe('call recording', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('stores the carrier recording and serves it as JSON and as audio', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Hello.', 'Bye now.'] });
    const id = await sendCall(stack, { phone_number: to, task: 'Say hi.', record: true });
    const call = await waitForCompletion(stack, id);
    expect(call.record).toBe(true);
    expect(call.recording_url).toMatch(/\/Recordings\/RE[0-9a-f]{32}$/);
    const json = await request(stack.apiUrl).get(`/v1/calls/${id}/recording`).set('authorization', stack.org.apiKey).expect(200);
    expect(json.body).toEqual({ status: 'success', url: call.recording_url });
    const audio = await request(stack.apiUrl)
      .get(`/v1/calls/${id}/recording`)
      .set('authorization', stack.org.apiKey)
      .set('accept', 'audio/mpeg')
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(audio.headers['content-type']).toMatch(/^audio\/mpeg/);
    const body = audio.body as Buffer;
    expect(body.length).toBeGreaterThan(1000);
    expect(body[0]).toBe(0xff);
  });

  it('has no recording when record is not set', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Bye.'] });
    const id = await sendCall(stack, { phone_number: to, task: 'Say hi.' });
    expect((await waitForCompletion(stack, id)).recording_url).toBeNull();
    await request(stack.apiUrl).get(`/v1/calls/${id}/recording`).set('authorization', stack.org.apiKey).expect(404);
  });
});
