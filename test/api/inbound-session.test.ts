import request from 'supertest';
import { hashSessionToken } from '../../src/inbound/sessions';
import type { InboundNumberDoc } from '../../src/numbers/types';
import { startStack, type Stack } from '../helpers/stack';

/** Seed 000's POST /v1/inbound/session through the real HTTP API: tokens, their lifetime, and bad input that stores nothing. */
describe('API: inbound session tokens', () => {
  let stack: Stack;
  let seq = 0;
  beforeAll(async () => {
    stack = await startStack({ worker: false });
  });
  afterAll(async () => {
    await stack.stop();
  });
  const api = () => request(stack.apiUrl);

  async function ownNumber(orgId = stack.org.id): Promise<string> {
    const phone = `+1415555${String(1000 + (seq++ % 9000)).padStart(4, '0')}`;
    const now = new Date();
    const doc: InboundNumberDoc = {
      _id: phone, org_id: orgId, phone_number: phone, source: 'purchased', provider_sid: `PN${seq}`, account_sid: 'ACtest',
      carrier_account_id: null, agent: { prompt: 'Hello.' }, created_at: now, updated_at: now, last_initiated: null,
    };
    await stack.db.collections.inboundNumbers.insertOne(doc);
    return phone;
  }
  const sessions = () => stack.db.collections.inboundSessions.countDocuments({});

  it("answers the seed's {token, expires_at}, an hour ahead by default, and stores only the token's hash", async () => {
    const phone = await ownNumber();
    const before = Date.now();
    const res = await api()
      .post('/v1/inbound/session')
      .set('authorization', stack.org.apiKey)
      .send({ phone_number: phone, request_data: { customer_id: '12345', campaign_name: 'summer_promotion' }, voice: 'June' })
      .expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['expires_at', 'token']);
    expect(res.body.token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.headers['cache-control']).toBe('no-store');
    const expires = Date.parse(res.body.expires_at);
    expect(expires - before).toBeGreaterThanOrEqual(3_600_000 - 1000);
    expect(expires - Date.now()).toBeLessThanOrEqual(3_600_000);
    expect(await stack.db.collections.inboundSessions.findOne({ _id: res.body.token })).toBeNull();
    const stored = await stack.db.collections.inboundSessions.findOne({ _id: hashSessionToken(res.body.token) });
    expect(stored).toMatchObject({ org_id: stack.org.id, phone_number: phone, request_data: { customer_id: '12345' }, voice: 'June' });
  });

  it('accepts the number in any form Send Call does, no request_data, and an expires_in', async () => {
    const phone = await ownNumber();
    const res = await api().post('/v1/inbound/session').set('authorization', stack.org.apiKey).send({ phone_number: `+1 (${phone.slice(2, 5)}) ${phone.slice(5, 8)}-${phone.slice(8)}`, expires_in: 120 }).expect(200);
    expect(Date.parse(res.body.expires_at) - Date.now()).toBeLessThanOrEqual(120_000);
    const stored = await stack.db.collections.inboundSessions.findOne({ _id: hashSessionToken(res.body.token) });
    expect(stored).toMatchObject({ phone_number: phone, request_data: {}, voice: null });
  });

  it("refuses bad input with a 400 in Bland's shape and stores nothing", async () => {
    const phone = await ownNumber();
    const other = await stack.newOrg();
    const foreign = await ownNumber(other.id);
    const before = await sessions();
    const cases: Array<[unknown, string]> = [
      [{ request_data: {} }, 'Missing required parameter: phone_number.'],
      [{ phone_number: phone, request_data: ['a'] }, 'request_data must be an object.'],
      [{ phone_number: phone, request_data: 'customer=1' }, 'request_data must be an object.'],
      [{ phone_number: phone, request_data: { 'a.b': 1 } }, expect.stringContaining('request_data has a key that is not allowed')],
      [{ phone_number: '+14155550000' }, 'phone_number: +*******0000 is not an inbound number of this organisation.'],
      [{ phone_number: foreign }, expect.stringContaining('is not an inbound number of this organisation.')],
      [{ phone_number: '12ab' }, expect.stringMatching(/^phone_number: /)],
      [{ phone_number: phone, expires_in: 10 }, 'expires_in must be between 60 and 86400.'],
      [{ phone_number: phone, voice: 7 }, 'voice must be a string.'],
      [{ phone_number: phone, token: 'mine' }, expect.stringContaining('token is not a known field')],
    ];
    for (const [body, message] of cases) {
      const res = await api().post('/v1/inbound/session').set('authorization', stack.org.apiKey).send(body as object).expect(400);
      expect(res.body).toMatchObject({ status: 'error', errors: [message] });
    }
    const bad = await api().post('/v1/inbound/session').set('authorization', stack.org.apiKey).set('content-type', 'application/json').send('{"phone_number":').expect(400);
    expect(bad.body).toMatchObject({ status: 'error', message: 'Malformed JSON in request body.' });
    await api().post('/v1/inbound/session').send({ phone_number: phone }).expect(401);
    expect(await sessions()).toBe(before);
  });
});
