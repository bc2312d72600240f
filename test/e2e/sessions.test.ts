import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { ADDITIONAL_HEADERS, HEADER_DIRECTIONS } from '../../src/sessions/types';
import { AUTO_ANSWER_HEADERS } from '../../src/sessions/sip-headers';
import type { SipInvite } from '../../src/simulator/carrier/sip-trunk';
import { sendCall, simCallsTo, uniqueNumber, waitForCompletion } from '../helpers/calls';
import { inboundCallId } from '../../src/calls/inbound-call';
import { createPathway, restaurantPathway } from '../helpers/pathway-fixtures';
import { replayAndMaybeRecord } from '../helpers/histories';
import { eventually } from '../helpers/poll';
import { startStack, uid, type Stack } from '../helpers/stack';

/** Bridged sessions (seed 001) end to end: API → session workflow → twilio SDK → carrier simulator and its SIP trunk → webhooks. */
describe('sessions: bridged calls through a trunk', () => {
  let stack: Stack;
  let trunkName: string;
  const host = 'pbx.example.test:5080';

  beforeAll(async () => {
    stack = await startStack();
    trunkName = `office-${uid()}`;
    await request(stack.apiUrl).post('/v1/trunks').set('authorization', `Bearer ${stack.org.apiKey}`).send({ name: trunkName, host, transport: 'tcp' }).expect(200);
  });
  afterAll(async () => {
    await stack.stop();
  });

  const ext = () => `9${uid().replace(/\D/g, '').padEnd(6, '7').slice(0, 6)}`;
  const create = async (body: Record<string, unknown>) => {
    const res = await request(stack.apiUrl).post('/sessions').set('authorization', `Bearer ${stack.org.apiKey}`).send({ send_sdp: true, trunk: trunkName, ...body });
    if (res.status !== 200) throw new Error(`POST /sessions answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.session_id as string;
  };
  const get = async (id: string) => (await request(stack.apiUrl).get(`/sessions/${id}`).set('authorization', stack.org.apiKey).expect(200)).body.session;
  const ended = (id: string) => eventually(async () => ((await get(id)).state === 'ended' ? get(id) : null), 30_000);
  const invites = (user: string) => stack.simulator.sip.invites.filter((i) => i.user === user);

  it('rings the caller, dials the callee with the rewrites, bridges them, and ends when the callee hangs up', async () => {
    const [caller, callee] = [ext(), ext()];
    stack.simulator.scriptNumber(caller, { ringMs: 1500, utterances: ['Hi, it is the front desk.', 'Your visitor is here.', 'Okay.'], speechDelayMs: 300 });
    stack.simulator.scriptNumber(callee, { ringMs: 1500, utterances: ['Hello?', 'Thanks, on my way.'], speechDelayMs: 600 });
    const id = await create({
      caller, callee, caller_display_name: 'Front Desk', send_sdp: false, rewrite_from: '1000', rewrite_pai: '2000', rewrite_rpi: '3000',
      user_data: 'ticket-42', target: 'sip:desk@example.test', target_instance_id: 'inst-1', target_extension_number: '101',
      additional_header: 'ANSWER_MODE', header_direction: 'ALL',
    });
    expect(id).toMatch(/^[A-Za-z0-9]{24}$/);

    const ringing = await eventually(async () => ((await get(id)).state === 'ringing' ? get(id) : null));
    expect(ringing).toMatchObject({ kind: 'bridge', caller, callee, trunk: trunkName, user_data: 'ticket-42', workflow_id: `session-${id}`, answered_at: null });
    const answered = await eventually(async () => ((await get(id)).state === 'answered' ? get(id) : null));
    expect(answered.answered_at).toEqual(expect.any(String));
    const bridged = await eventually(async () => ((await get(id)).state === 'bridged' ? get(id) : null));
    expect(bridged.bridged_at).toEqual(expect.any(String));
    // Live: listed by GET /sessions (and under /v1) while it runs.
    const live = await request(stack.apiUrl).get('/v1/sessions').set('authorization', `Bearer ${stack.org.apiKey}`).expect(200);
    expect(live.body.sessions).toEqual(expect.arrayContaining([expect.objectContaining({ id, kind: 'bridge', state: 'bridged', trunk: trunkName })]));

    const done = await ended(id);
    expect(done).toMatchObject({
      end_reason: 'completed', caller_display_name: 'Front Desk', send_sdp: false, target: 'sip:desk@example.test', target_instance_id: 'inst-1',
      target_extension_number: '101', additional_header: 'ANSWER_MODE', header_direction: 'ALL', simulated: true,
      caller_leg: { status: 'completed' }, callee_leg: { status: 'completed' },
    });
    expect(done.transitions.map((t: { state: string }) => t.state)).toEqual(['ringing', 'answered', 'bridged', 'ending', 'ended']);

    const [callerInvite] = invites(caller);
    const [calleeInvite] = invites(callee);
    expect(callerInvite).toMatchObject({ leg: 'rest', host, transport: 'tcp', from_user: callee, answer_mode: 'Auto', sdp: false, p_asserted_identity: null, remote_party_id: null });
    expect(calleeInvite).toMatchObject({
      leg: 'dial', parent_call_sid: callerInvite!.call_sid, host, transport: 'tcp', from_user: '1000', from_display_name: 'Front Desk', sdp: false, answer_mode: 'Auto',
      p_asserted_identity: `<sip:2000@${host}>`, remote_party_id: `<sip:3000@${host}>;party=calling;screen=no;privacy=off`,
    });
    // Both talked over the bridge; the callee ran out of lines first and hung up.
    const lines = stack.simulator.sip.bridges.get(callerInvite!.call_sid)!;
    expect(lines.map((l) => l.speaker)).toEqual(['caller', 'callee', 'caller', 'callee', 'caller']);
    expect(lines.map((l) => l.text)).toContain('Thanks, on my way.');
    expect(stack.simulator.calls.get(callerInvite!.call_sid)!.status).toBe('completed');
    // Ended: no longer listed.
    const after = await request(stack.apiUrl).get('/sessions').set('authorization', stack.org.apiKey).expect(200);
    expect(after.body.sessions.map((s: { id: string }) => s.id)).not.toContain(id);
    await replayAndMaybeRecord(stack.temporal.client, `session-${id}`, 'session-bridge');
  });

  it('puts each additional_header on the legs header_direction names', async () => {
    const cases = ADDITIONAL_HEADERS.flatMap((header) => HEADER_DIRECTIONS.map((direction) => ({ header, direction, caller: ext(), callee: ext() })));
    for (const c of cases) {
      stack.simulator.scriptNumber(c.caller, { utterances: ['Hi.'] });
      stack.simulator.scriptNumber(c.callee, { utterances: ['Hello.'] });
    }
    const ids = await Promise.all(cases.map((c) => create({ caller: c.caller, callee: c.callee, additional_header: c.header, header_direction: c.direction })));
    await Promise.all(ids.map((id) => ended(id)));
    const header = (i: SipInvite | undefined) => i && { 'Answer-Mode': i.answer_mode, 'Call-Info': i.call_info, 'Alert-Info': i.alert_info };
    for (const c of cases) {
      const expected = AUTO_ANSWER_HEADERS[c.header];
      const none = { 'Answer-Mode': null, 'Call-Info': null, 'Alert-Info': null };
      const withHeader = { ...none, [expected.name]: expected.value };
      expect({ c, caller: header(invites(c.caller)[0]) }).toEqual({ c, caller: c.direction === 'CALLEE' ? none : withHeader });
      expect({ c, callee: header(invites(c.callee)[0]) }).toEqual({ c, callee: c.direction === 'CALLER' ? none : withHeader });
    }
  });

  it('ends as caller_no_answer and never dials the callee when the caller does not answer', async () => {
    const [caller, callee] = [ext(), ext()];
    stack.simulator.scriptNumber(caller, { answer: 'no-answer' });
    // Sent twice with one Idempotency-Key: one session, one ring.
    const key = `retry-${uid()}`;
    const send = () => request(stack.apiUrl).post('/sessions').set('authorization', stack.org.apiKey).set('idempotency-key', key).send({ caller, callee, send_sdp: true, trunk: trunkName }).expect(200);
    const id: string = (await send()).body.session_id;
    expect((await send()).body.session_id).toBe(id);
    const done = await ended(id);
    expect(done).toMatchObject({ end_reason: 'caller_no_answer', answered_at: null, caller_leg: { status: 'no-answer' }, callee_leg: { provider_call_sid: null } });
    expect(done.transitions.map((t: { state: string }) => t.state)).toEqual(['ringing', 'ended']);
    expect(invites(callee)).toHaveLength(0);
    expect(invites(caller)).toHaveLength(1);
  });

  it('ends as callee_busy and hangs the caller up when the callee is busy', async () => {
    const [caller, callee] = [ext(), ext()];
    stack.simulator.scriptNumber(caller, { utterances: ['Hi.'], speechDelayMs: 200 });
    stack.simulator.scriptNumber(callee, { answer: 'busy' });
    const id = await create({ caller, callee });
    const done = await ended(id);
    expect(done).toMatchObject({ end_reason: 'callee_busy', bridged_at: null, callee_leg: { status: 'busy' }, caller_leg: { status: 'completed' } });
    expect(done.transitions.map((t: { state: string }) => t.state)).toEqual(['ringing', 'answered', 'ending', 'ended']);
    expect(invites(callee)).toHaveLength(1);
    expect(stack.simulator.sip.bridges.has(invites(caller)[0]!.call_sid)).toBe(false);
  });

  it('ends when the caller hangs up mid-bridge, bringing the callee down', async () => {
    const [caller, callee] = [ext(), ext()];
    stack.simulator.scriptNumber(caller, { utterances: ['a', 'b', 'c', 'd', 'e', 'f'], speechDelayMs: 400, hangUpAfterMs: 1500 });
    stack.simulator.scriptNumber(callee, { utterances: ['1', '2', '3', '4', '5', '6'], speechDelayMs: 400 });
    const done = await ended(await create({ caller, callee }));
    expect(done).toMatchObject({ end_reason: 'completed', caller_leg: { status: 'completed' }, callee_leg: { status: 'completed' } });
    expect(done.transitions.map((t: { state: string }) => t.state)).toEqual(['ringing', 'answered', 'bridged', 'ending', 'ended']);
    const sid = invites(caller)[0]!.call_sid;
    expect(stack.simulator.calls.get(sid)!.endedBy).toBe('callee');
    // Cut short: neither side got through their lines.
    expect(stack.simulator.sip.bridges.get(sid)!.length).toBeLessThan(12);
  });

  it("authenticates both legs with the trunk's credentials, never carrying the password in clear", async () => {
    const password = `pw-${uid()}-secret`;
    const name = `authed-${uid()}`;
    const [caller, callee] = [ext(), ext()];
    await request(stack.apiUrl).post('/v1/trunks').set('authorization', stack.org.apiKey).send({ name, host, username: 'desk-7', password, allowed_caller_ids: [caller] }).expect(200);
    stack.simulator.scriptNumber(caller, { utterances: ['Hi.'] });
    stack.simulator.scriptNumber(callee, { utterances: ['Hello.'] });
    const id = await create({ caller, callee, trunk: name });
    const done = await ended(id);
    expect(done).toMatchObject({ end_reason: 'completed', trunk: name });
    const [callerInvite] = invites(caller);
    const [calleeInvite] = invites(callee);
    expect(callerInvite).toMatchObject({ leg: 'rest', auth_username: 'desk-7', auth_password_present: true });
    expect(calleeInvite).toMatchObject({ leg: 'dial', auth_username: 'desk-7', auth_password_present: true, from_user: caller });
    // Not in the simulator's records, the session's answers, its record, nor the workflow's history.
    expect(JSON.stringify([callerInvite, calleeInvite])).not.toContain(password);
    expect(JSON.stringify(done)).not.toContain(password);
    expect(JSON.stringify(await stack.db.collections.bridgeSessions.findOne({ _id: id }))).not.toContain(password);
    // The history's payloads, decoded: the plan and the answer's TwiML plan hold the password sealed only.
    const history = JSON.stringify(await stack.temporal.client.workflow.getHandle(`session-${id}`).fetchHistory());
    const payloads = [...history.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1]!, 'base64').toString('utf8')).join('\n');
    expect(payloads).toContain('"sealedPassword":"v1.');
    expect(payloads).toContain('desk-7');
    expect(`${history}\n${payloads}`).not.toContain(password);
    // A trunk without credentials presents none.
    const other = ext();
    stack.simulator.scriptNumber(other, { answer: 'no-answer' });
    await ended(await create({ caller: other, callee: ext() }));
    expect(invites(other)[0]).toMatchObject({ auth_username: null, auth_password_present: false });
  });

  it("places the legs through the trunk's own carrier account, its webhooks verified with that account", async () => {
    const [sid, token] = [`AC${randomBytes(16).toString('hex')}`, randomBytes(16).toString('hex')];
    stack.simulator.addAccount(sid, token);
    const encryptedKey = (await request(stack.apiUrl).post('/v1/accounts').set('authorization', stack.org.apiKey).send({ account_sid: sid, auth_token: token }).expect(200)).body.encrypted_key as string;
    const name = `byot-${uid()}`;
    await request(stack.apiUrl).post('/v1/trunks').set('authorization', stack.org.apiKey).send({ name, host, encrypted_key: encryptedKey }).expect(200);
    const [caller, callee] = [ext(), ext()];
    stack.simulator.scriptNumber(caller, { utterances: ['Hi.', 'Bye.'] });
    stack.simulator.scriptNumber(callee, { utterances: ['Hello.'] });
    const done = await ended(await create({ caller, callee, trunk: name }));
    // Answered, bridged and ended: every webhook of the leg (signed with the own account's token) was accepted.
    expect(done).toMatchObject({ end_reason: 'completed', caller_leg: { status: 'completed' }, callee_leg: { status: 'completed' } });
    expect(done.transitions.map((t: { state: string }) => t.state)).toEqual(['ringing', 'answered', 'bridged', 'ending', 'ended']);
    const leg = stack.simulator.calls.get(invites(caller)[0]!.call_sid)!;
    expect(leg.req.accountSid).toBe(sid);
    expect(invites(callee)[0]).toMatchObject({ leg: 'dial', parent_call_sid: leg.sid });
    // What a hang-up of the caller's leg looks up to reach the same account.
    const stored = await stack.db.collections.bridgeSessions.findOne({ org_id: stack.org.id, 'caller_leg.provider_call_sid': leg.sid }, { projection: { _id: 1, org_id: 1, account_id: 1 } });
    expect(stored).toEqual({ _id: done.id, org_id: stack.org.id, account_id: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('without a trunk, rings and bridges two phone numbers through the carrier', async () => {
    const [caller, callee] = [uniqueNumber(), uniqueNumber()];
    stack.simulator.scriptNumber(caller, { utterances: ['Hi.', 'Bye.'] });
    stack.simulator.scriptNumber(callee, { utterances: ['Hello.'] });
    const res = await request(stack.apiUrl).post('/v1/sessions').set('authorization', stack.org.apiKey).send({ caller, callee, send_sdp: true }).expect(200);
    const done = await ended(res.body.session_id);
    expect(done).toMatchObject({ trunk: null, end_reason: 'completed', caller_leg: { status: 'completed' }, callee_leg: { status: 'completed' } });
    expect(done.transitions.map((t: { state: string }) => t.state)).toEqual(['ringing', 'answered', 'bridged', 'ending', 'ended']);
    const [leg] = simCallsTo(stack, caller);
    expect(leg!.req.from).toBe(stack.config.telephony.defaultFrom);
    expect(leg!.transferredTo).toBe(callee);
    expect(stack.simulator.sip.bridges.get(leg!.sid)!.map((l) => l.text)).toEqual(['Hi.', 'Hello.', 'Bye.']);
  });

  it('lists live outbound and inbound AI calls, a pathway chat and a bridge, and none of them once they end', async () => {
    const api = () => request(stack.apiUrl);
    // An outbound AI call.
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { utterances: ['Hello?', 'Tell me more.', 'Bye.'], speechDelayMs: 1500 });
    const callId = await sendCall(stack, { phone_number: to, task: 'Say hi and chat briefly.' });
    // An inbound AI call to a number of the organisation.
    const phone = (await api().post('/v1/inbound/purchase').set('authorization', stack.org.apiKey).send({ area_code: '628' }).expect(200)).body.phone_number as string;
    await api().post(`/v1/inbound/${encodeURIComponent(phone)}`).set('authorization', stack.org.apiKey).send({ prompt: 'You answer for Acme support.' }).expect(200);
    const inboundCaller = uniqueNumber();
    const sim = stack.simulator.placeInboundCall({ to: phone, from: inboundCaller, script: { utterances: ['I need help.', 'Thanks, bye.'], speechDelayMs: 1500 } });
    const inboundId = inboundCallId(sim.req.accountSid, sim.sid);
    // A pathway chat.
    const pathwayId = await createPathway(stack, restaurantPathway('https://booking.example.test/book'));
    const chatId = (await api().post('/v1/pathway/chat/create').set('authorization', stack.org.apiKey).send({ pathway_id: pathwayId }).expect(200)).body.chat_id as string;
    // A bridged session.
    const [caller, callee] = [ext(), ext()];
    stack.simulator.scriptNumber(caller, { utterances: ['One.', 'Two.', 'Three.'], speechDelayMs: 800 });
    stack.simulator.scriptNumber(callee, { utterances: ['A.', 'B.'], speechDelayMs: 800 });
    const id = await create({ caller, callee, user_data: 'list-me' });

    const page = await eventually(async () => {
      const res = await api().get('/sessions').set('authorization', `Bearer ${stack.org.apiKey}`).expect(200);
      const byId = new Map((res.body.sessions as Array<{ id: string; state: string }>).map((s) => [s.id, s]));
      const all = [callId, inboundId, chatId, id].every((k) => byId.has(k));
      return all && byId.get(callId)?.state === 'answered' && byId.get(inboundId)?.state === 'answered' && byId.get(id)?.state === 'bridged' ? byId : null;
    });
    expect(page.get(callId)).toMatchObject({ kind: 'phone', direction: 'outbound', callee: to, workflow_id: `call-${callId}`, call_id: callId });
    expect(page.get(inboundId)).toMatchObject({ kind: 'phone', direction: 'inbound', caller: inboundCaller, callee: phone, workflow_id: `call-${inboundId}` });
    expect(page.get(chatId)).toMatchObject({ kind: 'chat', direction: null, state: 'answered', workflow_id: `call-${chatId}` });
    expect(page.get(id)).toMatchObject({ kind: 'bridge', user_data: 'list-me', caller, callee, workflow_id: `session-${id}` });
    // One session by id: an AI call's summary too.
    expect((await api().get(`/v1/sessions/${inboundId}`).set('authorization', stack.org.apiKey).expect(200)).body.session).toMatchObject({ kind: 'phone', direction: 'inbound', state: 'answered' });

    // Another organisation sees none of them.
    const other = await stack.newOrg();
    const theirs = await api().get('/sessions').set('authorization', other.apiKey).expect(200);
    expect(theirs.body.sessions).toEqual([]);
    await api().get(`/sessions/${id}`).set('authorization', other.apiKey).expect(404);
    await api().get(`/sessions/${callId}`).set('authorization', other.apiKey).expect(404);

    // Paging: one per page, all four found across the pages.
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const res: request.Response = await api().get('/sessions').query({ page_size: '1', ...(token ? { page_token: token } : {}) }).set('authorization', stack.org.apiKey).expect(200);
      expect(res.body.sessions.length).toBeLessThanOrEqual(1);
      seen.push(...res.body.sessions.map((s: { id: string }) => s.id));
      token = res.body.next_page_token;
    } while (token);
    expect(seen).toEqual(expect.arrayContaining([callId, inboundId, chatId, id]));

    await stack.temporal.client.workflow.getHandle(`call-${chatId}`).signal('stopCall', { reason: 'test done' });
    await Promise.all([waitForCompletion(stack, callId), waitForCompletion(stack, inboundId), waitForCompletion(stack, chatId), ended(id)]);
    const after = await api().get('/sessions').set('authorization', stack.org.apiKey).expect(200);
    expect(after.body.sessions.map((s: { id: string }) => s.id)).toEqual(expect.not.arrayContaining([callId, inboundId, chatId, id]));
    expect((await api().get(`/sessions/${callId}`).set('authorization', stack.org.apiKey).expect(200)).body.session.state).toBe('ended');
    expect(simCallsTo(stack, to)[0]!.status).toBe('completed');
  });
});
