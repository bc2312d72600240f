import request from 'supertest';
import { pcm16FromFloat } from '../../src/audio/wav';
import { encodeToneCode } from '../../src/simulator/offline-model/tone-code';
import { events, getCall, waitForCompletion } from '../helpers/calls';
import { activityTypesOf, localActivityAttempts, replayAndMaybeRecord } from '../helpers/histories';
import { eventually } from '../helpers/poll';
import { createPathway, restaurantPathway, startBookingServer, type BookingServer } from '../helpers/pathway-fixtures';
import { startStack, type Stack } from '../helpers/stack';
import { authorize, createAgent, openRaw, rawSession, webClient } from '../helpers/web-agents';
import { json, startToolServer, type ToolServer } from '../helpers/tool-server';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';
import { uid } from '../helpers/stack';

/**
 * Web agents end to end: an agent made with the API, a token authorised, the browser channel
 * opened by web/agent-client.js from Node, through the gateway to webCallWorkflow on the one
 * conversation engine (offline model, a local booking service and webhook receiver), to the read
 * model and the post-call webhook.
 */
describe('e2e: web agents over the browser channel', () => {
  let stack: Stack;
  let booking: BookingServer;
  let hooks: WebhookReceiver;
  let pathwayId: string;
  let tools: ToolServer;

  beforeAll(async () => {
    booking = await startBookingServer();
    hooks = await startWebhookReceiver();
    tools = await startToolServer();
    stack = await startStack({ allow: [booking.url, hooks.url, tools.url], env: { WEB_RESUME_GRACE_SECONDS: '5' } });
    pathwayId = await createPathway(stack, restaurantPathway(booking.url));
  });
  afterAll(async () => {
    await stack.stop();
    await booking.close();
    await hooks.close();
    await tools.close();
  });
  afterEach(() => {
    expect(stack.model.scripts.clear()).toBe(0);
  });

  const api = () => request(stack.apiUrl);
  const decide = (node: string, ...routes: string[]) =>
    stack.model.scripts.add({ match: `Decision at node "${node}"`, replies: routes.map((route) => ({ json: { route } })) });
  /** The call once its post-call work is done (the webhook is its last step). */
  const finished = (callId: string, path: string) =>
    eventually(async () => (hooks.at(path).some((h) => h.body.call_id === callId) ? getCall(stack, callId) : null), 60_000);

  it('holds a conversation through a pathway, ended by its End Call node: transcript frames, the call record, summary, analysis and webhook', async () => {
    const agentId = await createAgent(stack, {
      pathway_id: pathwayId, metadata: { campaign: 'spring' }, webhook: `${hooks.url}/web-pathway`,
      analysis_schema: { guests: 'number' },
    });
    const web = webClient(stack);
    const session = await web.client.connect(agentId, await authorize(stack, agentId));
    expect(session).toEqual({ type: 'session', call_id: expect.any(String), agent_id: agentId, resume_token: expect.any(String), voice: expect.any(Boolean) });
    // The pathway's start node speaks first.
    const [opening] = await web.linesAtLeast(1);
    expect(opening).toEqual({ type: 'transcript', role: 'assistant', text: 'Hello, thanks for calling Bella Vista. Would you like to make a reservation?', seq: 0 });

    const ask = await web.client.send('I want to make a reservation');
    expect(ask).toMatchObject({ type: 'reply', action: 'continue', node: { id: 'collect_details' } });
    expect(ask.text).toMatch(/date, time and number of guests/i);

    decide('collect_details', 'book_table');
    const done = await web.client.send('4 guests on Friday at 7pm');
    expect(done).toEqual({
      type: 'reply', action: 'end', node: { id: 'confirmed', name: 'Reservation Successful' },
      text: "Please give me a moment as I check our bookings. You're all set: a table for 4 on Friday at 7pm. Your confirmation code is BV-1. Goodbye!",
    });
    expect(await web.endedFrame()).toEqual({ type: 'ended', call_ended_by: 'ASSISTANT', reason: 'agent_ended' });
    expect(booking.requests.at(-1)?.body).toEqual({ date: 'Friday', time: '7pm', guests: 4 });

    // Every line once, in order, as stored.
    expect(web.lines.map((l) => l.seq)).toEqual(web.lines.map((_, i) => i));
    expect(web.lines.map((l) => l.role)).toEqual(['assistant', 'user', 'assistant', 'user', 'assistant', 'assistant']);
    const call = await finished(session.call_id, '/web-pathway');
    expect(call).toMatchObject({
      call_id: session.call_id, completed: true, queue_status: 'complete', status: 'completed', call_ended_by: 'ASSISTANT',
      metadata: { campaign: 'spring' }, analysis_schema: { guests: 'number' },
    });
    expect(call.transcripts.map((t: { user: string; text: string }) => [t.user, t.text])).toEqual(web.lines.map((l) => [l.role, l.text]));
    expect(typeof call.summary).toBe('string');
    expect(call.analysis).toEqual({ guests: expect.any(Number) });
    const hook = hooks.at('/web-pathway').find((h) => h.body.call_id === session.call_id)!;
    expect(hook.body).toMatchObject({ call_id: session.call_id, completed: true, call_ended_by: 'ASSISTANT', metadata: { campaign: 'spring' } });

    // Listed like any call, and found in Temporal by its channel.
    const listed = await api().get('/v1/calls').set('authorization', stack.org.apiKey).expect(200);
    expect(listed.body.calls.find((c: { call_id: string }) => c.call_id === session.call_id)).toMatchObject({ channel: 'web', completed: true });
    const found: string[] = [];
    for await (const wf of stack.temporal.client.workflow.list({ query: `Channel = "web" AND CallId = "${session.call_id}"` })) found.push(wf.type);
    expect(found).toEqual(['webCallWorkflow']);
    // Its variables and its start were written in the worker, beside the opening: no activity of their own.
    const history = await stack.temporal.client.workflow.getHandle(`call-${session.call_id}`).fetchHistory();
    expect(activityTypesOf(history).scheduled).not.toContain('resolveVariables');
    expect(localActivityAttempts(history, 'resolveVariables')).toEqual([1]);
    expect(localActivityAttempts(history, 'updateCall')).toEqual([1]);
    expect((await events(stack, session.call_id)).filter((e) => e.message.startsWith('Web session started'))).toHaveLength(1);
    // Its real history replays against the current code (RECORD_HISTORIES=1 keeps it as a fixture).
    await replayAndMaybeRecord(stack.temporal.client, `call-${session.call_id}`, 'web-call-pathway');
  });

  it('speaks first_sentence first, answers each message, and ends when the visitor hangs up', async () => {
    const agentId = await createAgent(stack, { prompt: 'You answer questions about the city museum.', first_sentence: 'Welcome to the city museum!' });
    const web = webClient(stack);
    const { call_id } = await web.client.connect(agentId, await authorize(stack, agentId));
    await web.linesAtLeast(1);
    expect(web.lines[0]).toMatchObject({ role: 'assistant', text: 'Welcome to the city museum!', seq: 0 });
    const reply = await web.client.send('When do you open?');
    expect(reply.text).toContain('You said "When do you open?"');
    // While it is live: the call's record shows the lines so far, and its event stream the session.
    const live = await getCall(stack, call_id);
    expect(live).toMatchObject({ completed: false, channel: 'web', queue_status: 'started' });
    expect(live.transcripts.map((t: { text: string }) => t.text)).toEqual(['Welcome to the city museum!', 'When do you open?', reply.text]);
    expect((await events(stack, call_id)).map((e) => e.message)).toContain(`Web session started (agent ${agentId})`);
    expect(await web.client.end()).toEqual({ type: 'ended', call_ended_by: 'USER', reason: 'visitor_ended' });
    const call = await waitForCompletion(stack, call_id);
    expect(call).toMatchObject({ call_ended_by: 'USER', queue_status: 'complete' });
    expect(call.transcripts.map((t: { text: string }) => t.text)).toEqual(['Welcome to the city museum!', 'When do you open?', reply.text]);
    expect((await events(stack, call_id)).map((e) => e.message)).toContain('Web session ended: visitor_ended by USER');
  });

  it("runs the agent's dynamic_data before the first word and its tools as a call does: the tool's speech and its follow-up in one reply", async () => {
    const marker = `tool-${uid()}`;
    tools.on('/member', (_req, res) => json(res, 200, { member: { name: 'Ada' } }));
    tools.on('/lookup-order', (_req, res) => json(res, 200, { status: 'shipped' }));
    stack.model.scripts.add({ match: marker, replies: [{ tool_call: { name: 'LookupOrder', arguments: { speech: 'One moment while I look that up.', order: 'A-7' } } }] });
    const agentId = await createAgent(stack, {
      prompt: `You help with orders; say the order is {{order_status}}. ${marker}`,
      first_sentence: 'Hello {{member_name}}, how can I help?',
      dynamic_data: [{ url: `${tools.url}/member`, response_data: [{ name: 'member_name', data: '$.member.name' }] }],
      tools: [{
        name: 'LookupOrder', description: 'Looks up an order', url: `${tools.url}/lookup-order`, method: 'POST',
        body: { order: '{{input.order}}' }, input_schema: { type: 'object', properties: { speech: 'string', order: 'string' } },
        response: { order_status: '$.status' },
      }],
    });
    const web = webClient(stack);
    const { call_id } = await web.client.connect(agentId, await authorize(stack, agentId));
    await web.linesAtLeast(1);
    expect(web.lines[0]!.text).toBe('Hello Ada, how can I help?');
    const reply = await web.client.send('Where is my order A-7?');
    expect(reply.text.startsWith('One moment while I look that up. ')).toBe(true);
    expect(tools.at('/lookup-order').map((r) => JSON.parse(r.body))).toEqual([{ order: 'A-7' }]);
    // Both of the agent's lines of the turn came as transcript frames.
    expect(web.lines.slice(1).map((l) => l.role)).toEqual(['user', 'assistant', 'assistant']);
    await web.client.end();
    const call = await waitForCompletion(stack, call_id);
    expect(call.variables).toMatchObject({ member_name: 'Ada', order_status: 'shipped' });
  });

  it('a voice turn from Node: PCM16 audio in, the recognised line and the reply, and the reply spoken back', async () => {
    const agentId = await createAgent(stack, { prompt: 'Chat about gardens.', first_sentence: 'Hello.', voice: 'maya' });
    const web = webClient(stack);
    const audio: Array<{ format: string; data: string }> = [];
    web.client.on('audio', (a) => audio.push(a));
    const session = await web.client.connect(agentId, await authorize(stack, agentId));
    expect(session.voice).toBe(true);
    // The offline speech stand-in's tone code for a sentence, as a microphone at 16 kHz would give it.
    const pcm = pcm16FromFloat(encodeToneCode('Which roses bloom in June?', 16_000));
    const reply = await web.client.sendAudio(pcm, 16_000);
    expect(reply.text).toContain('You said "Which roses bloom in June?"');
    expect(web.lines.slice(1).map((l) => [l.role, l.text])).toEqual([['user', 'Which roses bloom in June?'], ['assistant', reply.text]]);
    await eventually(async () => audio.length === 1);
    expect(['mp3', 'wav']).toContain(audio[0]!.format);
    expect(Buffer.from(audio[0]!.data, 'base64').length).toBeGreaterThan(1000);
    // Audio that is not speech the stand-in can read is an error frame, and the session goes on.
    await expect(web.client.sendAudio(new Int16Array(16_000).map((_, i) => Math.round(8000 * Math.sin(i / 3))), 16_000)).rejects.toMatchObject({ code: 'transcription_failed' });
    const spoken = await web.client.send('And tulips?', { speak: true });
    expect(spoken.text).toContain('And tulips?');
    await eventually(async () => audio.length === 2);
    await web.client.end();
  });

  it('the client refuses a second message while the first awaits its reply', async () => {
    const agentId = await createAgent(stack, { prompt: 'Chat.', first_sentence: 'Hi.' });
    const web = webClient(stack);
    await web.client.connect(agentId, await authorize(stack, agentId));
    const first = web.client.send('One.');
    await expect(web.client.send('Two.')).rejects.toMatchObject({ code: 'busy' });
    expect((await first).text).toContain('You said "One."');
    expect((await web.client.send('Three.')).text).toContain('You said "Three."');
    await web.client.end();
  });

  it('a call stopped through the API ends the session (stopped, by the assistant)', async () => {
    const agentId = await createAgent(stack, { prompt: 'Chat.', first_sentence: 'Hi.' });
    const web = webClient(stack);
    const { call_id } = await web.client.connect(agentId, await authorize(stack, agentId));
    await web.linesAtLeast(1);
    await api().post(`/v1/calls/${call_id}/stop`).set('authorization', stack.org.apiKey).expect(200);
    expect(await web.endedFrame()).toEqual({ type: 'ended', call_ended_by: 'ASSISTANT', reason: 'stopped' });
  });

  it('serves the client at /web/agent-client.js, without a key', async () => {
    const res = await api().get('/web/agent-client.js').expect(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.text).toContain('export function createAgentClient');
    await api().get('/web/nothing-here.js').expect(404);
  });

  it('ends at max_duration', async () => {
    const agentId = await createAgent(stack, { prompt: 'Chat.', first_sentence: 'Hi.', max_duration: 0.1 });
    const web = webClient(stack);
    const { call_id } = await web.client.connect(agentId, await authorize(stack, agentId));
    expect(await web.endedFrame(30_000)).toEqual({ type: 'ended', call_ended_by: 'ASSISTANT', reason: 'max_duration' });
    expect(await waitForCompletion(stack, call_id)).toMatchObject({ call_ended_by: 'ASSISTANT', completed: true });
  });

  it('a dropped socket resumes the same call within the grace period, with nothing lost or doubled', async () => {
    const agentId = await createAgent(stack, { prompt: 'Chat about trains.', first_sentence: 'Hello there.' });
    const web = webClient(stack);
    const { call_id } = await web.client.connect(agentId, await authorize(stack, agentId));
    await web.client.send('First message.');
    web.client.socket!.close(4000, 'network drop');
    await eventually(async () => web.events.includes('resumed'));
    expect(web.client.callId).toBe(call_id);
    const second = await web.client.send('Second message.');
    expect(second.text).toContain('You said "Second message."');
    // A second drop resumes too, with the token the first resume issued.
    const firstToken = web.client.resumeToken;
    web.client.socket!.close(4000, 'network drop');
    await eventually(async () => web.events.filter((e) => e === 'resumed').length === 2);
    expect(web.client.resumeToken).not.toBe(firstToken);
    await web.client.end();
    const call = await waitForCompletion(stack, call_id);
    expect(call.transcripts.map((t: { user: string }) => t.user)).toEqual(['assistant', 'user', 'assistant', 'user', 'assistant']);
    expect(web.lines.map((l) => l.seq)).toEqual([0, 1, 2, 3, 4]);
  });

  it('a resume catches up on what was said while the socket was away', async () => {
    const agentId = await createAgent(stack, { prompt: 'Chat.', first_sentence: 'Hello.' });
    const web = webClient(stack, { autoResume: false });
    const { call_id, resume_token } = await web.client.connect(agentId, await authorize(stack, agentId));
    const one = await web.client.send('One.');
    web.client.socket!.close(4000);
    // The browser had seen only the opening (seq 0): the resume sends lines 1 and 2 again, nothing else.
    const back = await openRaw(stack, agentId, `?resume=${encodeURIComponent(resume_token)}&last_seq=0`);
    await back.frame((f) => f.type === 'transcript' && f.seq === 2);
    expect(back.frames).toEqual([
      { type: 'session', call_id, agent_id: agentId, resume_token: expect.stringMatching(new RegExp(`^${call_id}\\.`)), voice: expect.any(Boolean) },
      { type: 'transcript', role: 'user', text: 'One.', seq: 1 },
      { type: 'transcript', role: 'assistant', text: one.text, seq: 2 },
    ]);
    // Each resume spends its token and issues another.
    const tokenOf = (socket: typeof back) => (socket.frames[0] as { resume_token: string }).resume_token;
    const resumeWith = async (token: string) => {
      const socket = await openRaw(stack, agentId, `?resume=${encodeURIComponent(token)}&last_seq=2`);
      await socket.frame((f) => f.type === 'session');
      return socket;
    };
    const second = tokenOf(back);
    expect(second).not.toBe(resume_token);
    // The spent token still joins within the grace period, for a socket that dropped before its new token arrived...
    const lost = await resumeWith(resume_token);
    expect(await back.closed()).toEqual({ code: 1000, reason: expect.any(String) });
    // ...until the token that resume issued is used: then neither it nor the token it replaced joins again.
    const last = await resumeWith(tokenOf(lost));
    expect((await rawSession(stack, agentId, `?resume=${encodeURIComponent(resume_token)}`)).code).toBe(4408);
    expect((await rawSession(stack, agentId, `?resume=${encodeURIComponent(second)}`)).code).toBe(4408);
    // A resume token is not a session token, and the old sockets' numbers no longer count.
    last.send({ type: 'end' });
    expect(await last.frame((f) => f.type === 'ended')).toEqual({ type: 'ended', call_ended_by: 'USER', reason: 'visitor_ended' });
    expect(await last.closed()).toEqual({ code: 1000, reason: expect.any(String) });
  });

  it('after the grace period a dropped call ends (call_ended_by USER) and cannot be resumed', async () => {
    const agentId = await createAgent(stack, { prompt: 'Chat.', first_sentence: 'Hello.' });
    const web = webClient(stack, { autoResume: false });
    const { call_id, resume_token } = await web.client.connect(agentId, await authorize(stack, agentId));
    await web.linesAtLeast(1);
    web.client.close(); // the tab is closed
    const call = await waitForCompletion(stack, call_id, 30_000);
    expect(call).toMatchObject({ call_ended_by: 'USER', queue_status: 'complete' });
    const late = await rawSession(stack, agentId, `?resume=${encodeURIComponent(resume_token)}`);
    expect(late.code).toBe(4408);
  });
});
