import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { startStack, uid, type Stack } from '../helpers/stack';

/**
 * A trunk's credentials, allowed caller IDs and carrier account (POST /v1/trunks): bad input is a
 * 400 that stores nothing; the password is sealed and never answered; a session presenting a
 * caller ID the trunk does not allow is refused, dialling and storing nothing.
 */
describe('API: trunk credentials, allowed caller IDs and carrier account', () => {
  let stack: Stack;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  beforeAll(async () => {
    stack = await startStack({ worker: false });
  });
  afterAll(async () => {
    await stack.stop();
  });

  const api = (key = stack.org.apiKey) => ({ authorization: `Bearer ${key}` });
  const createTrunk = (body: Record<string, unknown>, key = stack.org.apiKey) => request(stack.apiUrl).post('/v1/trunks').set(api(key)).send(body);
  const ownAccount = async (key = stack.org.apiKey) => {
    const sid = `AC${randomBytes(16).toString('hex')}`;
    const token = randomBytes(16).toString('hex');
    stack.simulator.addAccount(sid, token);
    return (await request(stack.apiUrl).post('/v1/accounts').set('authorization', key).send({ account_sid: sid, auth_token: token }).expect(200)).body.encrypted_key as string;
  };

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a username without a password', { username: 'desk' }, /username and password go together/],
    ['a password without a username', { password: 'secret' }, /username and password go together/],
    ['an empty username', { username: '', password: 'secret' }, /username must not be empty/],
    ['a username too long', { username: 'u'.repeat(129), password: 'secret' }, /username must be at most 128 characters/],
    ['a password too long', { username: 'desk', password: 'p'.repeat(129) }, /password must be at most 128 characters/],
    ['a password with a line break', { username: 'desk', password: 'a\r\nb' }, /password must not contain control characters/],
    ['a username with a tab', { username: 'de\tsk', password: 'secret' }, /username must not contain control characters/],
    ['a password that is a number', { username: 'desk', password: 1234 }, /password must be a string/],
    ['allowed_caller_ids not a list', { allowed_caller_ids: '1001' }, /allowed_caller_ids must be an array/],
    ['allowed_caller_ids empty', { allowed_caller_ids: [] }, /allowed_caller_ids must list at least one caller ID/],
    ['allowed_caller_ids too many', { allowed_caller_ids: Array.from({ length: 101 }, (_, i) => String(1000 + i)) }, /allowed_caller_ids must have at most 100 items/],
    ['an allowed caller ID that is no user part', { allowed_caller_ids: ['1001', 'a@b'] }, /allowed_caller_ids\[1\] must be a phone number or SIP user part/],
    ['an allowed caller ID too long', { allowed_caller_ids: ['1'.repeat(257)] }, /allowed_caller_ids\[0\] must be at most 256 characters/],
    ['an unknown encrypted_key', { encrypted_key: `ek_${'A'.repeat(43)}` }, /encrypted_key is not a valid, active key of this organisation/],
    ['a malformed encrypted_key', { encrypted_key: 'nope' }, /encrypted_key is not a valid/],
  ])('refuses %s with a 400 and stores nothing', async (_name, change, message) => {
    const name = `t-${uid()}`;
    const res = await createTrunk({ name, host: 'pbx.example.com', ...change });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'error', errors: expect.any(Array) });
    expect(res.body.errors.join(' ')).toMatch(message);
    expect(await stack.db.collections.trunks.countDocuments({ name })).toBe(0);
  });

  it("refuses another organisation's carrier account as unknown", async () => {
    const other = await stack.newOrg();
    const theirs = await ownAccount(other.apiKey);
    const name = `t-${uid()}`;
    const res = await createTrunk({ name, host: 'pbx.example.com', encrypted_key: theirs });
    expect(res.status).toBe(400);
    expect(res.body.errors.join(' ')).toMatch(/encrypted_key is not a valid, active key of this organisation/);
    expect(await stack.db.collections.trunks.countDocuments({ name })).toBe(0);
  });

  it('seals the password: never in an answer, never in clear in the store', async () => {
    const encryptedKey = await ownAccount();
    const name = `creds-${uid()}`;
    const created = await createTrunk({ name, host: 'pbx.example.com', username: 'desk-7', password, allowed_caller_ids: ['1001', '1001', '+14155550100'], encrypted_key: encryptedKey }).expect(200);
    expect(created.body.trunk).toMatchObject({ name, username: 'desk-7', has_password: true, allowed_caller_ids: ['1001', '+14155550100'], has_carrier_account: true });
    const id = created.body.trunk.trunk_id as string;
    const answers = [
      created.text,
      (await request(stack.apiUrl).get(`/v1/trunks/${id}`).set(api()).expect(200)).text,
      (await request(stack.apiUrl).get('/v1/trunks').set(api()).expect(200)).text,
    ];
    for (const text of answers) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(encryptedKey);
    }
    const stored = await stack.db.collections.trunks.findOne({ _id: id });
    expect(JSON.stringify(stored)).not.toContain(password);
    expect(JSON.stringify(stored)).not.toContain(encryptedKey);
    expect(stored!.password).toMatch(/^v1\./);
    // Without credentials the trunk says so.
    const plain = await createTrunk({ name: `plain-${uid()}`, host: 'pbx.example.com' }).expect(200);
    expect(plain.body.trunk).toMatchObject({ username: null, has_password: false, allowed_caller_ids: null, has_carrier_account: false });
  });

  it('refuses a session whose presented caller ID the trunk does not allow, naming the value and the trunk', async () => {
    const org = await stack.newOrg();
    const name = `allow-${uid()}`;
    await createTrunk({ name, host: 'pbx.example.com', allowed_caller_ids: ['1001', '555'] }, org.apiKey).expect(200);
    const post = (body: Record<string, unknown>) => request(stack.apiUrl).post('/sessions').set(api(org.apiKey)).send({ callee: '2001', send_sdp: true, trunk: name, ...body });
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ caller: '1002' }, new RegExp(`caller ID "1002" \\(caller\\) is not among the allowed_caller_ids of trunk "${name}"`)],
      // What counts is the From user the callee sees: rewrite_from when set.
      [{ caller: '1001', rewrite_from: '999' }, new RegExp(`caller ID "999" \\(rewrite_from\\) is not among the allowed_caller_ids of trunk "${name}"`)],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.body.status).toBe('error');
      expect(res.body.errors.join(' ')).toMatch(message);
    }
    expect(await stack.db.collections.bridgeSessions.countDocuments({ org_id: org.id })).toBe(0);
    expect([...stack.simulator.calls.values()].filter((c) => c.req.to.includes('2001') || c.req.to.includes('1002'))).toHaveLength(0);
  });
});
