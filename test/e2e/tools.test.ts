import request from 'supertest';
import { callWorkflowId } from '../../src/ids';
import { replayAndMaybeRecord } from '../helpers/histories';
import { eventually } from '../helpers/poll';
import { events, sendCall, simCallsTo, uniqueNumber, waitForCompletion } from '../helpers/calls';
import { startStack, uid, type Stack } from '../helpers/stack';
import { json, startToolServer, type ToolServer } from '../helpers/tool-server';

/**
 * Custom tools in live calls, every layer real: the offline model calls the tool (scripted), the
 * tool's speech is said at once (<Say> + <Redirect>), the runTool activity makes the request to a
 * local API, and the follow-up reply is what the simulated callee hears next.
 */
describe('custom tools in calls', () => {
  let stack: Stack;
  let api: ToolServer;
  beforeAll(async () => {
    api = await startToolServer();
    stack = await startStack({ allow: [api.url] });
  });
  afterAll(async () => {
    await api.close();
    await stack.stop();
  });

  const lines = (call: Record<string, any>) => call.transcripts.map((t: { user: string; text: string }) => `${t.user}: ${t.text}`);
  const agentHeard = (to: string) => simCallsTo(stack, to)[0]!.transcript.filter((l) => l.speaker === 'agent').map((l) => l.text);

  it("runs the seed's BookAppointment tool: exact request, speech at once, extracted stylist_name in the next replies", async () => {
    const marker = `book-${uid()}`;
    api.on('/book-appointment', (_req, res) => json(res, 200, { success: true, stylist_name: 'Ana', internal: { slot: 7 } }));
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { utterances: ['I would like a haircut tomorrow at ten.', 'Great, thanks.', 'Okay, bye.'] });
    stack.model.scripts.add({
      match: marker,
      replies: [
        {
          tool_call: {
            name: 'BookAppointment',
            arguments: { speech: 'Got it - one second while I book your appointment.', date: '2024-04-20', time: '10:00 AM', service: 'Haircut' },
          },
        },
      ],
    });
    const callId = await sendCall(stack, {
      phone_number: to,
      first_sentence: 'Hello, this is the salon.',
      task: `You book salon appointments. Tell the caller their stylist is {{stylist_name}}. Marker ${marker}`,
      request_data: { api_key: 'sk-test-123' },
      tools: [
        {
          name: 'BookAppointment',
          description: 'Books an appointment for the customer',
          url: `${api.url}/book-appointment`,
          method: 'POST',
          headers: { Authorization: 'Bearer {{api_key}}' },
          body: { date: '{{input.date}}', time: '{{input.time}}', service: '{{input.service}}' },
          input_schema: {
            example: { speech: 'Got it - one second while I book your appointment for tomorrow at 10 AM.', date: '2024-04-20', time: '10:00 AM', service: 'Haircut' },
            type: 'object',
            properties: { speech: 'string', date: 'YYYY-MM-DD', time: 'HH:MM AM/PM', service: 'Haircut, Coloring, Trim, or Other' },
          },
          response: { succesfully_booked_slot: '$.success', stylist_name: '$.stylist_name' },
        },
      ],
    });
    const call = await waitForCompletion(stack, callId);
    expect(call.queue_status).toBe('complete');

    const booked = api.at('/book-appointment');
    expect(booked).toHaveLength(1);
    expect(booked[0]!.method).toBe('POST');
    expect(booked[0]!.headers.authorization).toBe('Bearer sk-test-123');
    expect(booked[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(booked[0]!.body)).toEqual({ date: '2024-04-20', time: '10:00 AM', service: 'Haircut' });

    const said = lines(call);
    const asked = said.indexOf('user: I would like a haircut tomorrow at ten.');
    expect(asked).toBeGreaterThan(0);
    // The speech comes at once, then the follow-up built from the tool's result.
    expect(said[asked + 1]).toBe('assistant: Got it - one second while I book your appointment.');
    expect(said[asked + 2]).toMatch(/^assistant: Here is what I found: .*"stylist_name":"Ana"/);
    expect(said[asked + 2]).not.toContain('internal');
    // The next turn's prompt has {{stylist_name}} filled in from the tool's response.
    expect(said).toContain('assistant: You said "Great, thanks.". Your stylist is Ana.');
    expect(agentHeard(to)).toEqual(call.transcripts.filter((t: { user: string }) => t.user === 'assistant').map((t: { text: string }) => t.text));
    expect(simCallsTo(stack, to)[0]!.errors).toEqual([]);
    expect(call.variables).toMatchObject({ stylist_name: 'Ana', succesfully_booked_slot: true, api_key: 'sk-test-123' });

    const log = await eventually(async () => {
      const evs = await events(stack, callId);
      return evs.some((e) => e.level === 'tool') ? evs : null;
    });
    const toolEvent = log.find((e) => e.level === 'tool')!;
    expect(toolEvent.category).toBe('info');
    expect(toolEvent.message).toContain(`Tool BookAppointment: POST ${api.url}/book-appointment → 200`);
    expect(toolEvent.message).toContain('stylist_name');
    expect(JSON.stringify(log)).not.toContain('sk-test-123');
    // The run is its own activity in the Temporal UI, with a summary an operator can read.
    const history = await stack.temporal.client.workflow.getHandle(callWorkflowId(callId)).fetchHistory();
    const runs = history.events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runTool');
    expect(runs).toHaveLength(1);
    expect(Buffer.from(runs[0]!.userMetadata!.summary!.data!).toString()).toContain('Tool BookAppointment (POST)');
    // The tool turn replays deterministically (and, recorded, guards it in test/workflows/replay.test.ts).
    await replayAndMaybeRecord(stack.temporal.client, callWorkflowId(callId), 'phone-call-tools');
  });

  it('runs a saved TL- tool: a GET query from {{phone_number}} and {{call_id}}, and without a response map gives the body as {{data}}', async () => {
    const marker = `lookup-${uid()}`;
    api.on('/lookup', (_req, res) => json(res, 200, { plan: 'gold' }));
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { utterances: ['What plan am I on?', 'Bye.'] });
    stack.model.scripts.add({ match: marker, replies: [{ tool_call: { name: 'LookupPlan', arguments: {} } }] });
    // A saved tool, used by its TL- id.
    const saved = await request(stack.apiUrl)
      .post('/v1/tools')
      .set('authorization', stack.org.apiKey)
      .send({
        name: 'LookupPlan',
        description: 'Looks up the caller plan',
        url: `${api.url}/lookup`,
        speech: 'Let me look that up.',
        query: { pn: '{{phone_number}}', callId: '{{call_id}}' },
      })
      .expect(200);
    const callId = await sendCall(stack, {
      phone_number: to,
      first_sentence: 'Hi there.',
      task: `Answer questions about the plan ({{data.plan}}). Marker ${marker}`,
      tools: [saved.body.tool_id],
    });
    const call = await waitForCompletion(stack, callId);
    const got = api.at('/lookup');
    expect(got).toHaveLength(1);
    expect(got[0]!.method).toBe('GET');
    expect(got[0]!.query).toEqual({ pn: to, callId });
    expect(got[0]!.body).toBe('');
    const said = lines(call);
    expect(said).toContain('assistant: Let me look that up.');
    expect(said.join('\n')).toContain('"data":{"plan":"gold"}');
  });

  it('reports a timed-out tool to the model as a failure and the call goes on', async () => {
    const marker = `slow-${uid()}`;
    api.on('/slow', () => undefined); // never answers
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { utterances: ['Please check my order.', 'Okay, bye.'] });
    stack.model.scripts.add({ match: marker, replies: [{ tool_call: { name: 'CheckOrder', arguments: { order: '42' } } }] });
    const callId = await sendCall(stack, {
      phone_number: to,
      first_sentence: 'Hello.',
      task: `Help with orders. Marker ${marker}`,
      tools: [{ name: 'CheckOrder', description: 'Checks an order', url: `${api.url}/slow`, method: 'POST', body: '{{input}}', timeout: 300, speech: 'Checking.' }],
    });
    const call = await waitForCompletion(stack, callId);
    expect(call.queue_status).toBe('complete');
    expect(JSON.parse(api.at('/slow')[0]!.body)).toEqual({ order: '42' });
    // POST tools are not retried: repeating a booking or a payment could do it twice.
    expect(api.at('/slow')).toHaveLength(1);
    const said = lines(call);
    const i = said.indexOf('assistant: Checking.');
    expect(said[i + 1]).toMatch(/^assistant: Here is what I found: .*"status":"failed".*timeout/);
    expect(said).toContain('user: Okay, bye.');
    const evs = await events(stack, callId);
    expect(evs.find((e) => e.level === 'tool')).toMatchObject({ category: 'error', message: expect.stringContaining('Tool CheckOrder failed: timeout') });
  });

  it('reports a 500 from a GET tool after one retry, and the call goes on', async () => {
    const marker = `err-${uid()}`;
    api.on('/broken', (_req, res) => json(res, 500, { error: 'boom' }));
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { utterances: ['What is my balance?', 'Okay, bye.'] });
    stack.model.scripts.add({ match: marker, replies: [{ tool_call: { name: 'GetBalance', arguments: {} } }] });
    const callId = await sendCall(stack, {
      phone_number: to,
      first_sentence: 'Hello.',
      task: `Help with balances. Marker ${marker}`,
      tools: [{ name: 'GetBalance', description: 'Gets the balance', url: `${api.url}/broken`, speech: 'One moment.' }],
    });
    const call = await waitForCompletion(stack, callId);
    expect(call.queue_status).toBe('complete');
    expect(api.at('/broken')).toHaveLength(2);
    const said = lines(call);
    expect(said[said.indexOf('assistant: One moment.') + 1]).toMatch(/"status":"failed".*HTTP 500/);
    const evs = await events(stack, callId);
    expect(evs.find((e) => e.level === 'tool')).toMatchObject({ category: 'error', message: 'Tool GetBalance failed: HTTP 500' });
  });

  it('keeps the carrier waiting with a hold while a slow tool runs past the webhook bound', async () => {
    const marker = `wait-${uid()}`;
    api.on('/very-slow', (_req, res) => setTimeout(() => json(res, 200, { ready: 'yes' }), 12_000));
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { utterances: ['Please prepare my report.', 'Bye.'] });
    stack.model.scripts.add({ match: marker, replies: [{ tool_call: { name: 'PrepareReport', arguments: {} } }] });
    const callId = await sendCall(stack, {
      phone_number: to,
      first_sentence: 'Hello.',
      task: `Prepare reports. Marker ${marker}`,
      tools: [{ name: 'PrepareReport', description: 'Prepares a report', url: `${api.url}/very-slow`, method: 'POST', timeout: 15_000, speech: 'This takes a moment.' }],
    });
    const call = await waitForCompletion(stack, callId, 45_000);
    expect(call.queue_status).toBe('complete');
    const said = lines(call);
    expect(said[said.indexOf('assistant: This takes a moment.') + 1]).toMatch(/^assistant: Here is what I found: .*"ready":"yes"/);
    expect(simCallsTo(stack, to)[0]!.errors).toEqual([]);
    // One continue update, with no timer of its own: the API held the line at 10 s and the carrier
    // fetched the same update's reply (turn-wait); no webhook went past its 15 s (no errors above).
    const history = await stack.temporal.client.workflow.getHandle(callWorkflowId(callId)).fetchHistory();
    const continues = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'continueTurn');
    expect(continues).toHaveLength(1);
    expect(history.events!.filter((e) => e.timerStartedEventAttributes?.startToFireTimeout?.seconds?.toString() === '8')).toEqual([]);
  }, 60_000);

  it('lets the offline model choose a tool by itself when the caller asks for what it does (no script)', async () => {
    api.on('/forecast', (req, res) => json(res, 200, { forecast: `sunny for ${req.query.q ?? 'nobody'}` }));
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { utterances: ['What is the weather forecast for tomorrow?', 'Bye.'] });
    const callId = await sendCall(stack, {
      phone_number: to,
      first_sentence: 'Hello.',
      task: 'Answer questions.',
      tools: [{ name: 'WeatherForecast', description: 'Gets the weather forecast', url: `${api.url}/forecast`, query: { q: '{{input.day}}' }, speech: 'Checking the forecast.', input_schema: { properties: { day: 'the day asked about' } } }],
    });
    const call = await waitForCompletion(stack, callId);
    expect(api.at('/forecast').length).toBeGreaterThanOrEqual(1);
    const said = lines(call);
    expect(said[said.indexOf('user: What is the weather forecast for tomorrow?') + 1]).toBe('assistant: Checking the forecast.');
    expect(said[said.indexOf('assistant: Checking the forecast.') + 1]).toMatch(/^assistant: Here is what I found: .*sunny/);
  });
});
