import request from 'supertest';
import twilio from 'twilio';
import { callWorkflowId } from '../../src/ids';
import { callStateQuery } from '../../src/workflow-api/call';
import { activityTypesOf, replayAndMaybeRecord } from '../helpers/histories';
import { eventually } from '../helpers/poll';
import { startStack, type Stack } from '../helpers/stack';

/**
 * The vertical slice, every layer real: API → Temporal → worker → twilio SDK → carrier simulator →
 * signed webhooks → workflow updates → openai SDK → offline model → FerretDB.
 */
describe('one call, end to end', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  const getCall = async (id: string) =>
    (await request(stack.apiUrl).get(`/v1/calls/${id}`).set('authorization', stack.org.apiKey).expect(200)).body;

  it('dials, converses through the offline model, and completes the record', async () => {
    const to = '+14155550123';
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Who is calling?', 'I am doing well, thanks.', 'Okay, bye now.'] });
    stack.model.scripts.add({ match: 'slice-task-marker', replies: [{ content: 'Hi! I am calling to check on your day.' }] });

    const created = await request(stack.apiUrl)
      .post('/v1/calls')
      .set('authorization', stack.org.apiKey)
      .send({ phone_number: to, task: 'Ask about their day. slice-task-marker', request_data: { name: 'Ada' } })
      .expect(200);
    expect(created.body).toMatchObject({ status: 'success', batch_id: null, message: expect.any(String) });
    const callId: string = created.body.call_id;

    const call = await eventually(async () => {
      const c = await getCall(callId);
      return c.completed ? c : null;
    });
    expect(call).toMatchObject({
      call_id: callId,
      to,
      from: stack.config.telephony.defaultFrom,
      completed: true,
      queue_status: 'complete',
      status: 'completed',
      call_ended_by: 'ASSISTANT',
      answered_by: null,
      simulated: true,
    });
    expect(call.started_at).toEqual(expect.any(String));
    expect(call.call_length).toEqual(expect.any(Number));
    expect(call.variables).toMatchObject({ call_id: callId, phone_number: to, to, short_to: '4155550123', name: 'Ada', country: 'US' });

    const lines = call.transcripts.map((t: { user: string; text: string }) => `${t.user}: ${t.text}`);
    expect(lines[0]).toBe('assistant: Hi! I am calling to check on your day.');
    expect(lines).toContain('user: Who is calling?');
    expect(lines).toContain('user: I am doing well, thanks.');
    expect(lines).toContain('user: Okay, bye now.');
    // The goodbye makes the offline model call end_call; its farewell is the last line.
    expect(lines.at(-1)).toBe('assistant: Thank you for your time. Goodbye!');
    expect(call.concatenated_transcript).toContain('user: Who is calling?');

    // What the simulated callee heard is what the record says the agent said.
    const simCall = [...stack.simulator.calls.values()].find((c) => c.req.to === to)!;
    expect(simCall.errors).toEqual([]);
    expect(simCall.transcript.filter((l) => l.speaker === 'agent').map((l) => l.text)).toEqual(
      call.transcripts.filter((t: { user: string }) => t.user === 'assistant').map((t: { text: string }) => t.text),
    );
    expect(simCall.endedBy).toBe('agent');

    // The workflow is visible and filterable by its search attributes, as in the Temporal UI.
    const listed = await eventually(async () => {
      const found = [];
      for await (const wf of stack.temporal.client.workflow.list({
        query: `CallId = "${callId}" AND OrgId = "${stack.org.id}" AND CallStatus = "complete"`,
      })) found.push(wf);
      return found.length === 1 ? found : null;
    });
    expect(listed[0]!.workflowId).toBe(callWorkflowId(callId));
    const state = await stack.temporal.client.workflow.getHandle(callWorkflowId(callId)).query(callStateQuery);
    expect(state.transcript.length).toBe(call.transcripts.length);

    await replayAndMaybeRecord(stack.temporal.client, callWorkflowId(callId), 'phone-call-human-conversation');

    const list = await request(stack.apiUrl).get('/v1/calls').set('authorization', stack.org.apiKey).expect(200);
    expect(list.body.total_count).toBeGreaterThanOrEqual(1);
    expect(list.body.count).toBe(list.body.calls.length);
    expect(list.body.calls.find((c: { call_id: string }) => c.call_id === callId)).not.toHaveProperty('transcripts');
  });

  it("reads a live call from its workflow: the turns not yet written are in GET /v1/calls/{id} and the event stream", async () => {
    const to = '+14155550125';
    // Slow replies keep the call live; turn records are written every few turns, not every turn.
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['First line.', 'Second line.', 'Third line.', 'Bye.'], speechDelayMs: 1500 });
    const created = await request(stack.apiUrl).post('/v1/calls').set('authorization', stack.org.apiKey).send({ phone_number: to, task: 'Chat.', first_sentence: 'Hello!' }).expect(200);
    const callId: string = created.body.call_id;
    const live = await eventually(async () => {
      const c = await getCall(callId);
      return !c.completed && c.transcripts.some((t: { text: string }) => t.text === 'First line.') ? c : null;
    }, 30_000, 50);
    expect(live.queue_status).toBe('started');
    expect(live.transcripts[0]).toMatchObject({ user: 'assistant', text: 'Hello!' });
    // Nothing of the first turns is in the store yet: the read came from the workflow.
    expect(await stack.db.collections.transcripts.countDocuments({ call_id: callId })).toBe(0);
    expect(await stack.db.collections.callEvents.countDocuments({ call_id: callId, message: /^Agent turn/ })).toBe(0);
    const events = (await request(stack.apiUrl).get(`/v1/event_stream/${callId}`).set('authorization', stack.org.apiKey).expect(200)).body;
    expect(events.map((e: { message: string }) => e.message)).toEqual(expect.arrayContaining(['Call answered (attempt 1)', expect.stringMatching(/^Agent turn 1: model/)]));
    const done = await eventually(async () => {
      const c = await getCall(callId);
      return c.completed ? c : null;
    }, 60_000);
    // Once over, the stored record holds every line and every event, written in a few batches.
    expect(await stack.db.collections.transcripts.countDocuments({ call_id: callId })).toBe(done.transcripts.length);
    const turnEvents = (await stack.db.collections.callEvents.find({ call_id: callId }).toArray()).filter((e) => e.message.startsWith('Agent turn'));
    expect(turnEvents).toHaveLength(done.transcripts.filter((t: { user: string }) => t.user === 'assistant').length);
    // Five turns: the first four in one turn record; the fifth, the goodbye, went with the final record,
    // a local activity (no activity dispatched through the server for it).
    expect(turnEvents).toHaveLength(5);
    // The whole run: the record is complete a workflow task before the history is.
    const handle = stack.temporal.client.workflow.getHandle(callWorkflowId(callId));
    await handle.result();
    const { scheduled, local } = activityTypesOf(await handle.fetchHistory());
    expect(scheduled.filter((t) => t === 'recordTurn')).toHaveLength(1);
    expect(scheduled).not.toContain('finalizeCall');
    expect(local.filter((t) => t === 'finalizeCall')).toHaveLength(1);
    // The dial, the answered record and the summary ran in the workflow's own tasks too: of what a
    // call does, only the turn records went through the server.
    expect(local.filter((t) => t === 'placeCall')).toHaveLength(1);
    // The dial also resolved the call's variables (asserted on the record above): no activity of their own.
    expect(local).not.toContain('resolveVariables');
    const messages = (await stack.db.collections.callEvents.find({ call_id: callId }).sort({ timestamp: 1 }).toArray()).map((e) => e.message);
    expect(messages.filter((m) => m === 'Variables resolved')).toHaveLength(1);
    expect(messages.indexOf('Variables resolved')).toBe(messages.indexOf('Dialling (attempt 1)') - 1);
    expect(local.filter((t) => t === 'updateCall')).toHaveLength(1);
    expect(local.filter((t) => t === 'summarizeCall')).toHaveLength(1);
    expect([...new Set(scheduled)].sort()).toEqual(['recordTurn']);
  });

  it('refuses a carrier webhook with a bad signature and changes nothing', async () => {
    const to = '+14155550124';
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Hello there.', 'Bye.'] });
    const created = await request(stack.apiUrl)
      .post('/v1/calls')
      .set('authorization', stack.org.apiKey)
      .send({ phone_number: to, task: 'Say hello.' })
      .expect(200);
    const callId: string = created.body.call_id;
    const done = await eventually(async () => {
      const c = await getCall(callId);
      return c.completed ? c : null;
    });

    const url = `${stack.endpoints.publicBaseUrl}/v1/telephony/twilio/gather?call_id=${callId}`;
    const params = { CallSid: `CA${'0'.repeat(32)}`, SpeechResult: 'Forged words' };
    const forged = twilio.getExpectedTwilioSignature('not-the-auth-token', url, params);
    for (const signature of [forged, '']) {
      const res = await request(stack.apiUrl)
        .post(`/v1/telephony/twilio/gather?call_id=${callId}`)
        .set('x-twilio-signature', signature)
        .type('form')
        .send(params)
        .expect(403);
      expect(res.body).toEqual({ status: 'error', message: 'Invalid X-Twilio-Signature.', errors: ['Invalid X-Twilio-Signature.'] });
    }
    // A status callback forged the same way cannot end or alter the call either.
    await request(stack.apiUrl)
      .post(`/v1/telephony/twilio/status?call_id=${callId}`)
      .set('x-twilio-signature', forged)
      .type('form')
      .send({ CallSid: params.CallSid, CallStatus: 'failed' })
      .expect(403);
    const after = await getCall(callId);
    expect(after.transcripts).toEqual(done.transcripts);
    expect(after.status).toBe(done.status);
  });
});
