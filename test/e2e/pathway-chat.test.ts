import request from 'supertest';
import { replayAndMaybeRecord } from '../helpers/histories';
import { eventually } from '../helpers/poll';
import { createPathway, restaurantPathway, startBookingServer, type BookingServer } from '../helpers/pathway-fixtures';
import { startStack, type Stack } from '../helpers/stack';

/**
 * The restaurant example through pathway chat: API → Temporal (call workflow, chat channel) →
 * pathway turn and webhook-node activities → offline model and a local booking server → MongoDB.
 * Decisions that are the subject of a test are scripted; the rest is the offline model's own.
 */
describe('e2e: pathway chat on the restaurant example', () => {
  let stack: Stack;
  let booking: BookingServer;
  let pathwayId: string;

  beforeAll(async () => {
    booking = await startBookingServer();
    stack = await startStack({ allow: [booking.url] });
    pathwayId = await createPathway(stack, restaurantPathway(booking.url));
  });
  afterAll(async () => {
    await booking.close();
    await stack.stop();
  });
  afterEach(() => {
    // Every scripted decision must have been taken by the test that scripted it.
    expect(stack.model.scripts.clear()).toBe(0);
    booking.answer = () => ({ status: 200, json: { reserved: true, confirmation: `BV-${booking.requests.length}` } });
  });

  const api = () => request(stack.apiUrl);
  const decide = (node: string, ...routes: string[]) =>
    stack.model.scripts.add({ match: `Decision at node "${node}"`, replies: routes.map((route) => ({ json: { route } })) });

  async function newChat(body: Record<string, unknown> = {}): Promise<string> {
    const res = await api().post('/v1/pathway/chat/create').set('authorization', stack.org.apiKey).send({ pathway_id: pathwayId, ...body });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'success', chat_id: expect.any(String), message: 'Chat instance created successfully' });
    return res.body.chat_id;
  }
  async function say(chatId: string, message: string) {
    const res = await api().post(`/v1/pathway/chat/${chatId}`).set('authorization', stack.org.apiKey).send({ message });
    if (res.status !== 200) throw new Error(`chat answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }
  const callDoc = async (id: string) => (await api().get(`/v1/calls/${id}`).set('authorization', stack.org.apiKey).expect(200)).body;

  it('books a table: condition met, variables extracted, webhook body and pathway_logs as expected', async () => {
    const chat = await newChat();
    const hello = await say(chat, 'Hi');
    expect(hello).toMatchObject({
      status: 'success', chat_id: chat, pathway_id: pathwayId,
      assistant_response: 'Hello, thanks for calling Bella Vista. Would you like to make a reservation?',
      current_node_id: 'start', current_node_name: 'Start',
      'Current Node ID': 'start', 'Pathway ID': pathwayId,
    });
    // Unscripted: the offline model picks the edge whose label shares words with the message.
    const ask = await say(chat, 'I want to make a reservation');
    expect(ask.current_node_id).toBe('collect_details');
    expect(ask.assistant_response).toMatch(/date, time and number of guests/i);

    decide('collect_details', 'book_table');
    const done = await say(chat, '4 guests on Friday at 7pm');
    expect(done.assistant_response).toBe(
      "Please give me a moment as I check our bookings. You're all set: a table for 4 on Friday at 7pm. Your confirmation code is BV-1. Goodbye!",
    );
    expect(done).toMatchObject({ current_node_id: 'confirmed', current_node_name: 'Reservation Successful', chat_ended: true });
    expect(booking.requests.at(-1)).toEqual({ method: 'POST', body: { date: 'Friday', time: '7pm', guests: 4 } });
    expect(done.chat_history.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'assistant']);
    expect(done['Chat History']).toEqual(done.chat_history);

    const call = await eventually(async () => {
      const c = await callDoc(chat);
      return c.completed ? c : null;
    });
    const logs = call.pathway_logs as Array<Record<string, any>>;
    expect(logs.map((l) => l.kind)).toEqual(['start', 'edge', 'extract', 'edge', 'webhook', 'end']);
    expect(logs[1]).toMatchObject({ from: { id: 'start' }, to: { id: 'collect_details' }, edge: { id: 'e-start-collect', label: 'caller wants to make a reservation' } });
    expect(logs[2]).toMatchObject({ variables: { date: 'Friday', time: '7pm', guests: 4 } });
    expect(logs[3]).toMatchObject({ condition_met: true, to: { id: 'book_table' } });
    expect(logs[4]).toMatchObject({ variables: { reservation_success: true, confirmation_code: 'BV-1' }, to: { id: 'confirmed' } });
    expect(logs[4]!.why).toMatch(/responsePathways rule reservation_success == true holds/);

    const history = await api().get(`/v1/pathway/chat/${chat}`).set('authorization', stack.org.apiKey).expect(200);
    expect(history.body.errors).toBeNull();
    expect(history.body.data).toEqual(done.chat_history);

    // The chat has ended: further messages are refused.
    const after = await api().post(`/v1/pathway/chat/${chat}`).set('authorization', stack.org.apiKey).send({ message: 'hello?' });
    expect(after.status).toBe(409);
    await replayAndMaybeRecord(stack.temporal.client, `call-${chat}`, 'chat-workflow-pathway');
  });

  it('follows the failure branch to a new time slot, then books again', async () => {
    booking.answer = (body) => (body.time === '7pm' ? { status: 200, json: { reserved: false } } : { status: 200, json: { reserved: true, confirmation: 'LATE1' } });
    const chat = await newChat({ start_node_id: 'collect_details' });
    const first = await say(chat, '');
    expect(first.current_node_id).toBe('collect_details');
    decide('collect_details', 'book_table');
    const full = await say(chat, '2 guests tomorrow at 7pm');
    expect(full.current_node_id).toBe('find_new_time');
    expect(full.assistant_response).toMatch(/^Please give me a moment as I check our bookings\. .*fully booked/);
    decide('find_new_time', 'book_table');
    const booked = await say(chat, 'How about 9pm then');
    expect(booked.current_node_id).toBe('confirmed');
    expect(booked.assistant_response).toMatch(/a table for 2 on tomorrow at 9pm\. Your confirmation code is LATE1/);
    expect(booking.requests.slice(-2).map((r) => r.body)).toEqual([
      { date: 'tomorrow', time: '7pm', guests: 2 },
      { date: 'tomorrow', time: '9pm', guests: 2 },
    ]);
  });

  it('transfers a party of more than 8', async () => {
    const chat = await newChat({ start_node_id: 'collect_details' });
    await say(chat, '');
    decide('collect_details', 'large_party');
    const r = await say(chat, '12 guests on Saturday at 8pm');
    expect(r).toMatchObject({ current_node_id: 'large_party', chat_ended: true });
    expect(r.assistant_response).toMatch(/events team/);
    const call = await eventually(async () => {
      const c = await callDoc(chat);
      return c.completed ? c : null;
    });
    expect(call.pathway_logs.at(-1)).toMatchObject({ kind: 'transfer' });
    expect(call.pathway_logs.at(-1).why).toMatch(/\+14155550188/);
  });

  it('answers a restaurant question from the global KB node, then returns and holds on the condition', async () => {
    const chat = await newChat({ start_node_id: 'collect_details' });
    await say(chat, '');
    decide('collect_details', 'restaurant_questions', 'stay');
    const kb = await say(chat, 'What are your opening hours?');
    expect(kb.current_node_id).toBe('restaurant_questions');
    expect(kb.current_node_name).toBe('Restaurant Questions');
    const back = await say(chat, 'Saturday');
    expect(back.current_node_id).toBe('collect_details');
    const call = await callDoc(chat);
    const logs = await eventually(async () => {
      const c = await callDoc(chat);
      return (c.pathway_logs?.length ?? 0) >= 5 ? (c.pathway_logs as Array<Record<string, any>>) : null;
    });
    expect(call.call_id).toBe(chat);
    expect(logs.map((l) => l.kind)).toEqual(['start', 'global', 'return', 'extract', 'stay']);
    expect(logs[1]).toMatchObject({ from: { id: 'collect_details' }, to: { id: 'restaurant_questions' } });
    expect(logs[2]).toMatchObject({ from: { id: 'restaurant_questions' }, to: { id: 'collect_details' } });
    expect(logs[4]).toMatchObject({ condition_met: false });
    expect(logs[4]!.why).toMatch(/Condition not met yet/);
    expect(logs[3]).toMatchObject({ variables: { date: 'Saturday' } });
  });

  it('says goodbye when the caller does not want a reservation', async () => {
    const chat = await newChat();
    await say(chat, 'hello');
    decide('start', 'goodbye');
    const r = await say(chat, 'No thanks');
    expect(r).toMatchObject({ current_node_id: 'goodbye', assistant_response: 'Thanks for calling Bella Vista. Goodbye!', chat_ended: true });
  });

  it('runs the production version unless a version is named', async () => {
    const graph = restaurantPathway(booking.url);
    const id = await createPathway(stack, graph);
    const start = graph.nodes.find((n) => n.id === 'start')!;
    start.data.text = 'Version two greeting.';
    const v2 = await api().post(`/v1/pathway/${id}`).set('authorization', stack.org.apiKey).send({ nodes: graph.nodes, edges: graph.edges });
    expect(v2.body.version_number).toBe(2);
    const firstLine = async (body: Record<string, unknown>) => {
      const res = await api().post('/v1/pathway/chat/create').set('authorization', stack.org.apiKey).send({ pathway_id: id, ...body });
      const reply = await say(res.body.chat_id, '');
      await stack.temporal.client.workflow.getHandle(`call-${res.body.chat_id}`).signal('stopCall', { reason: 'test done' });
      return reply.assistant_response as string;
    };
    // Never published: the latest saved version runs.
    expect(await firstLine({})).toBe('Version two greeting.');
    await api().post(`/v1/pathway/${id}/publish`).set('authorization', stack.org.apiKey).send({ version_id: 1, environment: 'production' }).expect(200);
    expect(await firstLine({})).toMatch(/^Hello, thanks for calling Bella Vista/);
    expect(await firstLine({ version: 2 })).toBe('Version two greeting.');
    // Staging is only what it says: production still runs by default.
    await api().post(`/v1/pathway/${id}/publish`).set('authorization', stack.org.apiKey).send({ version_id: 2, environment: 'staging' }).expect(200);
    expect(await firstLine({})).toMatch(/^Hello, thanks for calling Bella Vista/);
  });

  it('ends an abandoned chat after its idle timeout', async () => {
    const chat = await newChat({ idle_timeout_seconds: 1 });
    await say(chat, 'hello');
    const call = await eventually(async () => {
      const c = await callDoc(chat);
      return c.completed ? c : null;
    }, 15_000);
    expect(call.queue_status).toBe('complete');
    const res = await api().post(`/v1/pathway/chat/${chat}`).set('authorization', stack.org.apiKey).send({ message: 'still there?' });
    expect(res.status).toBe(409);
  });

  it('refuses bad input with clear 4xx answers', async () => {
    const post = (path: string, body: unknown, key = stack.org.apiKey) => api().post(path).set('authorization', key).send(body as object);
    expect((await post('/v1/pathway/chat/create', {})).body.errors).toEqual(['pathway_id is required.']);
    expect((await post('/v1/pathway/chat/create', { pathway_id: 5 })).status).toBe(400);
    expect((await post('/v1/pathway/chat/create', { pathway_id: 'nope' })).status).toBe(404);
    expect((await post('/v1/pathway/chat/create', { pathway_id: pathwayId, start_node_id: 'ghost' })).status).toBe(400);
    expect((await post('/v1/pathway/chat/create', { pathway_id: pathwayId, version: 99 })).status).toBe(404);
    const empty = (await post('/v1/pathway/create', { name: 'never saved' })).body.pathway_id;
    expect((await post('/v1/pathway/chat/create', { pathway_id: empty })).status).toBe(404);
    const malformed = await api().post('/v1/pathway/chat/create').set('authorization', stack.org.apiKey).set('content-type', 'application/json').send('{"pathway_id"');
    expect(malformed.status).toBe(400);

    const chat = await newChat();
    expect((await post(`/v1/pathway/chat/${chat}`, { message: 42 })).status).toBe(400);
    expect((await post('/v1/pathway/chat/00000000-0000-0000-0000-000000000000', { message: 'hi' })).status).toBe(404);
    const other = await stack.newOrg();
    expect((await post('/v1/pathway/chat/create', { pathway_id: pathwayId }, other.apiKey)).status).toBe(404);
    expect((await post(`/v1/pathway/chat/${chat}`, { message: 'hi' }, other.apiKey)).status).toBe(404);
    expect((await api().get(`/v1/pathway/chat/${chat}`).set('authorization', other.apiKey)).status).toBe(404);
    // A model that never answers with JSON fails the turn after its retries: 502, and the chat goes on.
    await say(chat, 'hello');
    stack.model.scripts.add({ match: 'Decision at node "start"', replies: Array.from({ length: 4 }, () => ({ content: 'not json' })) });
    const broken = await post(`/v1/pathway/chat/${chat}`, { message: 'I want to make a reservation' });
    expect(broken.status).toBe(502);
    expect(broken.body.status).toBe('error');
    expect((await say(chat, 'I want to make a reservation')).current_node_id).toBe('collect_details');
    await stack.temporal.client.workflow.getHandle(`call-${chat}`).signal('stopCall', { reason: 'test done' });
  });
});
