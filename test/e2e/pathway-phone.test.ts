import request from 'supertest';
import { callWorkflowId } from '../../src/ids';
import { callStateQuery } from '../../src/workflow-api/call';
import { events as callEvents, sendCall, waitForCompletion } from '../helpers/calls';
import { activityInputs, activityTypesOf, replayAndMaybeRecord } from '../helpers/histories';
import { eventually } from '../helpers/poll';
import { createPathway, restaurantPathway, startBookingServer, type BookingServer } from '../helpers/pathway-fixtures';
import { startStack, type Stack } from '../helpers/stack';

/**
 * The restaurant example on simulated phone calls: POST /v1/calls with pathway_id → call workflow →
 * carrier simulator → pathway-turn and webhook-node activities → offline model and a local booking
 * server → the call record with its transcript and pathway_logs.
 */
describe('e2e: pathway on a phone call', () => {
  let stack: Stack;
  let booking: BookingServer;
  let pathwayId: string;
  let seq = 0;
  const nextNumber = () => `+1415555${String(2100 + seq++).padStart(4, '0')}`;

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
    expect(stack.model.scripts.clear()).toBe(0);
    booking.answer = () => ({ status: 200, json: { reserved: true, confirmation: `BV-${booking.requests.length}` } });
  });

  const decide = (node: string, ...routes: string[]) =>
    stack.model.scripts.add({ match: `Decision at node "${node}"`, replies: routes.map((route) => ({ json: { route } })) });
  const agentLines = (call: Record<string, any>) =>
    call.transcripts.filter((t: { user: string }) => t.user === 'assistant').map((t: { text: string }) => t.text);

  it('books a table over the phone: route, variables, webhook body and pathway_logs', async () => {
    const to = nextNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['I want to make a reservation', '4 guests on Friday at 7pm'] });
    decide('collect_details', 'book_table');
    const id = await sendCall(stack, { phone_number: to, pathway_id: pathwayId, task: 'ignored with a pathway', transfer_phone_number: '+14155550100' });
    const call = await waitForCompletion(stack, id);
    expect(call).toMatchObject({ queue_status: 'complete', call_ended_by: 'ASSISTANT', transferred_to: null });
    const said = agentLines(call).join(' | ');
    expect(said).toMatch(/^Hello, thanks for calling Bella Vista\. Would you like to make a reservation\? \| .*date, time and number of guests/i);
    expect(said).toMatch(/Please give me a moment as I check our bookings\..*You're all set: a table for 4 on Friday at 7pm\. Your confirmation code is BV-1\. Goodbye!$/);
    expect(booking.requests.at(-1)).toEqual({ method: 'POST', body: { date: 'Friday', time: '7pm', guests: 4 } });
    expect(call.pathway_logs.map((l: { kind: string }) => l.kind)).toEqual(['start', 'edge', 'extract', 'edge', 'webhook', 'end']);
    expect(call.pathway_logs[2]).toMatchObject({ variables: { date: 'Friday', time: '7pm', guests: 4 } });

    // The webhook's text is said at once, as its own line, while the request runs as its own activity.
    expect(agentLines(call)).toContain('Please give me a moment as I check our bookings.');
    const handle = stack.temporal.client.workflow.getHandle(callWorkflowId(id));
    const history = await handle.fetchHistory();
    const { scheduled: activityTypes, local: localActivityTypes } = activityTypesOf(history);
    // The logs went with the turn records and the final record, never in a write of their own.
    expect(activityInputs(history, 'updateCall').filter((input) => 'pathway_logs' in (input as { set: object }).set)).toEqual([]);
    expect(activityTypes).toContain('pathwayWebhook');
    // The four pathway turns are local activities (one marker each), never dispatched through the server.
    expect(activityTypes).not.toContain('pathwayTurn');
    expect(localActivityTypes.filter((t) => t === 'pathwayTurn')).toHaveLength(4);
    const events = await eventually(async () => {
      const evs = await callEvents(stack, id);
      return evs.some((e) => e.message.startsWith('Webhook node book_table')) ? evs : null;
    });
    expect(events.find((e) => e.message.startsWith('Webhook node book_table'))!.message).toBe(
      'Webhook node book_table: HTTP 200; set reservation_success, confirmation_code',
    );

    // The live-state query names the node the agent is at (here: where the call ended).
    const state = await handle.query(callStateQuery);
    expect(state.pathwayNode).toEqual({ id: 'confirmed', name: 'Reservation Successful' });
    expect(state.pathwayLogs).toEqual(call.pathway_logs);
    // The real history replays against the current code (and, recorded, guards pathway calls in the replay test).
    await replayAndMaybeRecord(stack.temporal.client, callWorkflowId(id), 'phone-call-pathway');
  });

  it('transfers a party of more than 8 to the Transfer Call node number', async () => {
    const to = nextNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['I want to make a reservation', '12 guests on Saturday at 8pm'] });
    decide('collect_details', 'large_party');
    const id = await sendCall(stack, { phone_number: to, pathway_id: pathwayId });
    const call = await waitForCompletion(stack, id);
    expect(call).toMatchObject({ transferred_to: '+14155550188', queue_status: 'complete' });
    expect(agentLines(call).at(-1)).toMatch(/events team/);
    expect(call.pathway_logs.at(-1)).toMatchObject({ kind: 'transfer' });
  });

  it('answers a question from the global node, returns, and follows the failure branch', async () => {
    booking.answer = () => ({ status: 200, json: { reserved: false } });
    const to = nextNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['What are your opening hours?', '3 guests tomorrow at 6pm', 'no thanks, goodbye'] });
    decide('collect_details', 'restaurant_questions', 'book_table');
    decide('find_new_time', 'goodbye');
    const id = await sendCall(stack, { phone_number: to, pathway_id: pathwayId, start_node_id: 'collect_details' });
    const call = await waitForCompletion(stack, id);
    const kinds = call.pathway_logs.map((l: { kind: string }) => l.kind);
    expect(kinds).toEqual(['start', 'global', 'return', 'extract', 'edge', 'webhook', 'edge', 'end']);
    expect(call.pathway_logs[5]).toMatchObject({ to: { id: 'find_new_time' }, variables: { reservation_success: false } });
    expect(agentLines(call).at(-1)).toBe('Thanks for calling Bella Vista. Goodbye!');
    expect(booking.requests.at(-1)!.body).toEqual({ date: 'tomorrow', time: '6pm', guests: 3 });
  });

  it('refuses a missing pathway or version, a bad start node and another organisation, before anything starts', async () => {
    const post = (body: Record<string, unknown>, key = stack.org.apiKey) =>
      request(stack.apiUrl).post('/v1/calls').set('authorization', key).send({ phone_number: nextNumber(), ...body });
    const before = await stack.db.collections.calls.countDocuments({});
    expect((await post({ pathway_id: 'no-such-pathway' })).status).toBe(404);
    expect((await post({ pathway_id: pathwayId, pathway_version: 99 })).status).toBe(404);
    expect((await post({ pathway_id: pathwayId, start_node_id: 'ghost' })).status).toBe(400);
    expect((await post({ pathway_id: pathwayId, pathway_version: { v: 1 } })).status).toBe(400);
    const other = await stack.newOrg();
    expect((await post({ pathway_id: pathwayId }, other.apiKey)).status).toBe(404);
    expect(await stack.db.collections.calls.countDocuments({})).toBe(before);
  });
});
