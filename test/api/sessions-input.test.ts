import request from 'supertest';
import { SESSION_LIMITS as L } from '../../src/sessions/types';
import { startStack, uid, type Stack } from '../helpers/stack';

/** POST /sessions and /v1/trunks refuse bad input in Bland's error shape, dialling and storing nothing. */
describe('API: sessions and trunks input', () => {
  let stack: Stack;
  let trunk: string;
  let otherTrunk: string;
  beforeAll(async () => {
    stack = await startStack({ worker: false });
    trunk = `pbx-${uid()}`;
    otherTrunk = `theirs-${uid()}`;
    await request(stack.apiUrl).post('/v1/trunks').set('authorization', stack.org.apiKey).send({ name: trunk, host: 'pbx.example.com' }).expect(200);
    const other = await stack.newOrg();
    await request(stack.apiUrl).post('/v1/trunks').set('authorization', other.apiKey).send({ name: otherTrunk, host: 'other.example.com' }).expect(200);
  });
  afterAll(async () => {
    await stack.stop();
  });

  const post = (body: unknown, path = '/sessions') => request(stack.apiUrl).post(path).set('authorization', `Bearer ${stack.org.apiKey}`).send(body as object);
  const valid = () => ({ caller: '1001', callee: '1002', send_sdp: true, trunk });
  const x = (n: number) => 'x'.repeat(n);
  const nothingHappened = async () => {
    expect(await stack.db.collections.bridgeSessions.countDocuments({ org_id: stack.org.id })).toBe(0);
    expect(stack.simulator.calls.size).toBe(0);
  };

  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['caller missing', { caller: undefined }, /caller/],
    ['caller too long', { caller: x(L.caller + 1) }, /caller must be at most 256 characters/],
    ['caller blank', { caller: '  ' }, /caller must not be empty/],
    ['caller not a SIP user part', { caller: '10@01>' }, /caller must be a number or extension/],
    ['callee too long', { callee: x(L.callee + 1) }, /callee must be at most 256 characters/],
    ['callee a number', { callee: 1002 }, /callee must be a string/],
    ['caller_display_name too long', { caller_display_name: x(L.callerDisplayName + 1) }, /caller_display_name must be at most 1024/],
    ['caller_display_name with a line break', { caller_display_name: 'Desk\r\nX-Evil: 1' }, /caller_display_name must not contain control characters/],
    ['send_sdp missing', { send_sdp: undefined }, /send_sdp/],
    ['send_sdp a string', { send_sdp: 'yes' }, /send_sdp must be a boolean/],
    ['trunk empty', { trunk: '' }, /trunk must be at least 1 character/],
    ['trunk too long', { trunk: x(L.trunkMax + 1) }, /trunk must be at most 64 characters/],
    ['trunk unknown', { trunk: 'nope' }, /no trunk named "nope"/],
    ['rewrite_from empty', { rewrite_from: '' }, /rewrite_from must be at least 1 character/],
    ['rewrite_from too long', { rewrite_from: x(L.rewriteMax + 1) }, /rewrite_from must be at most 16 characters/],
    ['rewrite_pai too long', { rewrite_pai: x(L.rewriteMax + 1) }, /rewrite_pai must be at most 16 characters/],
    ['rewrite_rpi empty', { rewrite_rpi: '' }, /rewrite_rpi must be at least 1 character/],
    ['rewrite_rpi not a user part', { rewrite_rpi: 'a@b' }, /rewrite_rpi must be a SIP user part/],
    ['user_data too long', { user_data: x(L.userData + 1) }, /user_data must be at most 128 characters/],
    ['target too long', { target: x(L.target + 1) }, /target must be at most 128 characters/],
    ['target_instance_id too long', { target_instance_id: x(L.target + 1) }, /target_instance_id must be at most 128/],
    ['target_extension_number too long', { target_extension_number: x(L.target + 1) }, /target_extension_number must be at most 128/],
    ['additional_header unknown', { additional_header: 'AUTO' }, /additional_header must be one of: ANSWER_MODE, CALL_INFO/],
    ['header_direction unknown', { additional_header: 'ANSWER_MODE', header_direction: 'BOTH' }, /header_direction must be one of: CALLER, CALLEE, ALL/],
    ['an unknown field', { trunk_name: 'x' }, /trunk_name is not a known field/],
    ['a rewrite without a trunk', { trunk: undefined, caller: '+14155550100', callee: '+14155550101', rewrite_from: '1' }, /rewrite_from applies to calls through a SIP trunk/],
    ['no trunk and a caller that is not a phone number', { trunk: undefined, caller: '1001', callee: '+14155550101' }, /caller: .*dialled as a phone number/],
  ];

  it.each(cases)('refuses %s with a 400', async (_name, change, message) => {
    const res = await post({ ...valid(), ...change });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'error', message: expect.any(String), errors: expect.any(Array) });
    expect(res.body.errors.join(' ')).toMatch(message);
    await nothingHappened();
  });

  it("refuses the sessions' carrier webhooks without a valid signature, whatever they carry", async () => {
    for (const hook of ['answer', 'status', 'callee-status', 'dial']) {
      const res = await request(stack.apiUrl).post(`/v1/telephony/twilio/sessions/${hook}?session_id=NzAwNTUxOTA5NzczMTQ4MTYw`).type('form').set('x-twilio-signature', 'bad').send({ CallSid: `CA${'0'.repeat(32)}`, CallStatus: 'completed' });
      expect({ hook, status: res.status, shape: res.body.status }).toEqual({ hook, status: 403, shape: 'error' });
    }
    // Not a carrier webhook: no such route.
    expect((await request(stack.apiUrl).post('/v1/telephony/twilio/sessions/other').type('form').send({})).status).toBe(404);
  });

  it('refuses a malformed Idempotency-Key', async () => {
    const res = await request(stack.apiUrl).post('/sessions').set('authorization', stack.org.apiKey).set('idempotency-key', 'x'.repeat(201)).send(valid());
    expect(res.status).toBe(400);
    expect(res.body.errors.join(' ')).toMatch(/Idempotency-Key must be 1-200 printable ASCII characters/);
    await nothingHappened();
  });

  it("refuses another organisation's trunk as unknown, on both paths", async () => {
    for (const path of ['/sessions', '/v1/sessions']) {
      const res = await post({ ...valid(), trunk: otherTrunk }, path);
      expect(res.status).toBe(400);
      expect(res.body.errors.join(' ')).toMatch(/no trunk named/);
    }
    await nothingHappened();
  });

  it('refuses malformed JSON and a body that is not an object', async () => {
    const bad = await request(stack.apiUrl).post('/sessions').set('authorization', stack.org.apiKey).set('content-type', 'application/json').send('{"caller":');
    expect(bad.status).toBe(400);
    expect(bad.body.status).toBe('error');
    expect((await post([valid()])).status).toBe(400);
    await nothingHappened();
  });

  it('needs a key, raw or Bearer', async () => {
    expect((await request(stack.apiUrl).get('/sessions')).status).toBe(401);
    expect((await request(stack.apiUrl).post('/sessions').send(valid())).status).toBe(401);
    expect((await request(stack.apiUrl).get('/sessions/abc').set('authorization', 'Bearer nope')).status).toBe(401);
    expect((await request(stack.apiUrl).get('/sessions/NzAwNTUxOTA5NzczMTQ4MTYw').set('authorization', stack.org.apiKey)).status).toBe(404);
    expect((await request(stack.apiUrl).get('/v1/sessions/NzAwNTUxOTA5NzczMTQ4MTYw').set('authorization', `Bearer ${stack.org.apiKey}`)).status).toBe(404);
  });

  it('refuses bad list parameters', async () => {
    const list = (q: Record<string, string>) => request(stack.apiUrl).get('/sessions').query(q).set('authorization', stack.org.apiKey);
    expect((await list({ page_size: '0' })).status).toBe(400);
    expect((await list({ page_size: '101' })).status).toBe(400);
    expect((await list({ page_size: 'ten' })).status).toBe(400);
    expect((await list({ page_token: 'not a token!' })).status).toBe(400);
    expect((await list({ cursor: 'x' })).status).toBe(400);
    // Well-formed base64url that is not a token the server issued: still a 400, never a 5xx.
    const wrapped = (o: string, t: string) => Buffer.from(JSON.stringify({ o, t })).toString('base64url');
    const tokens = ['AAAA', 'bm90LWEtdG9rZW4', Buffer.from(JSON.stringify({ page: 2 })).toString('base64url'), 'A'.repeat(1000), 'A'.repeat(1025), wrapped(stack.org.id, 'AAAA'), wrapped('org_someone_else', Buffer.from('{}').toString('base64'))];
    for (const token of tokens) {
      const res = await list({ page_token: token });
      expect({ token, status: res.status, shape: res.body.status }).toEqual({ token, status: 400, shape: 'error' });
    }
  });

  it('manages trunks: validated, unique by name, private to the organisation', async () => {
    const api = (key = stack.org.apiKey) => ({ authorization: key });
    for (const body of [{ name: '', host: 'a.example' }, { name: 'a', host: 'sip:a.example' }, { name: 'a', host: 'a.example;x=1' }, { name: 'a', host: 'a.example:99999' }, { name: x(65), host: 'a.example' }, { name: 'a', host: 'a.example', transport: 'ws' }, { name: 'a' }]) {
      const res = await request(stack.apiUrl).post('/v1/trunks').set(api()).send(body);
      expect({ body, status: res.status, shape: res.body.status }).toEqual({ body, status: 400, shape: 'error' });
    }
    const dup = await request(stack.apiUrl).post('/v1/trunks').set(api()).send({ name: trunk, host: 'b.example' });
    expect(dup.status).toBe(409);
    const listed = await request(stack.apiUrl).get('/v1/trunks').set(api()).expect(200);
    expect(listed.body.trunks).toEqual([expect.objectContaining({ name: trunk, host: 'pbx.example.com', transport: 'udp', trunk_id: expect.stringMatching(/^TR-[0-9a-f]{24}$/) })]);
    const id = listed.body.trunks[0].trunk_id as string;
    const other = await stack.newOrg();
    await request(stack.apiUrl).get(`/v1/trunks/${id}`).set(api(other.apiKey)).expect(404);
    await request(stack.apiUrl).delete(`/v1/trunks/${id}`).set(api(other.apiKey)).expect(404);
    await request(stack.apiUrl).get(`/v1/trunks/${id}`).set(api()).expect(200);
  });
});
