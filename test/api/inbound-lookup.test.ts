import request from 'supertest';
import type { InboundNumberDoc } from '../../src/numbers/types';
import { startStack, type Stack } from '../helpers/stack';

/**
 * A number's lookup source (seed 002) through the real HTTP API: a CSV as text/csv or {csv}, its
 * limits, bad rows named with nothing stored, atomic replacement, a URL, and another
 * organisation's number answered 404.
 */
describe('API: inbound lookup source', () => {
  let stack: Stack;
  let seq = 0;
  beforeAll(async () => {
    stack = await startStack({ worker: false });
  });
  afterAll(async () => {
    await stack.stop();
  });
  const api = () => request(stack.apiUrl);
  const key = () => stack.org.apiKey;
  const SEED_CSV = 'contact_number,first_name,plan\n0XXXXXXXXXX,Ramesh,Pro\n08860123456,Anita,Basic\n';

  async function ownNumber(orgId = stack.org.id): Promise<string> {
    const phone = `+1303555${String(1000 + seq++).padStart(4, '0')}`;
    const now = new Date();
    const doc: InboundNumberDoc = {
      _id: phone, org_id: orgId, phone_number: phone, source: 'purchased', provider_sid: `PN${seq}`, account_sid: 'ACtest',
      carrier_account_id: null, agent: { prompt: 'Hello.' }, created_at: now, updated_at: now, last_initiated: null,
    };
    await stack.db.collections.inboundNumbers.insertOne(doc);
    return phone;
  }
  const path = (phone: string) => `/v1/inbound/${encodeURIComponent(phone)}/lookup`;
  const tryKey = async (phone: string, k: string) => (await api().get(path(phone)).query({ key: k }).set('authorization', key()).expect(200)).body.match;

  it("takes the seed's CSV as text/csv, shows it, and finds a row by exact key", async () => {
    const phone = await ownNumber();
    const res = await api().post(path(phone)).set('authorization', key()).set('content-type', 'text/csv').send(SEED_CSV).expect(200);
    expect(res.body).toMatchObject({
      status: 'success',
      lookup: { phone_number: phone, source: 'csv', key_column: 'contact_number', columns: ['first_name', 'plan'], rows: 2, bytes: SEED_CSV.length, url: null },
    });
    const read = await api().get(path(phone.slice(2))).set('authorization', key()).expect(200);
    expect(read.body).toEqual({ lookup: res.body.lookup });
    expect(await tryKey(phone, '0XXXXXXXXXX')).toEqual({ first_name: 'Ramesh', plan: 'Pro' });
    expect(await tryKey(phone, '8860123456')).toBeNull();
  });

  it('replaces the CSV as a whole ({csv} JSON form); a bad CSV names every bad row and leaves the old one in place', async () => {
    const phone = await ownNumber();
    await api().post(path(phone)).set('authorization', key()).send({ csv: SEED_CSV }).expect(200);
    const bad = await api()
      .post(path(phone))
      .set('authorization', key())
      .set('content-type', 'text/csv')
      .send('contact_number,first_name\n111,Ann\n222\n,Bob\n111,Again\n')
      .expect(400);
    expect(bad.body).toEqual({
      status: 'error',
      message: 'Invalid CSV; nothing was stored.',
      errors: ['row 3: has 1 cells; the header has 2.', 'row 4: the key (column contact_number) is empty.', "row 5: the key is the same as row 2's; keys must be unique."],
    });
    expect(await tryKey(phone, '0XXXXXXXXXX')).toEqual({ first_name: 'Ramesh', plan: 'Pro' });

    await api().post(path(phone)).set('authorization', key()).send({ csv: 'contact_number,first_name\n111,Ann\n' }).expect(200);
    expect(await tryKey(phone, '0XXXXXXXXXX')).toBeNull();
    expect(await tryKey(phone, '111')).toEqual({ first_name: 'Ann' });
    // The replaced CSV's rows are gone.
    expect(await stack.db.collections.inboundLookupRows.countDocuments({ phone_number: phone })).toBe(1);
  });

  it('refuses a CSV over 1 MiB or 10,000 rows with a 413 naming the limit', async () => {
    const phone = await ownNumber();
    const big = 'k,v\n' + `a,${'x'.repeat(900)}\n`.repeat(1200);
    const tooBig = await api().post(path(phone)).set('authorization', key()).set('content-type', 'text/csv').send(big).expect(413);
    expect(tooBig.body).toMatchObject({ status: 'error', message: 'The CSV is larger than 1,048,576 bytes (1 MiB).' });
    const rows = 'k,v\n' + Array.from({ length: 10_001 }, (_, i) => `${i},v`).join('\n');
    const tooMany = await api().post(path(phone)).set('authorization', key()).send({ csv: rows }).expect(413);
    expect(tooMany.body).toMatchObject({ status: 'error', message: 'The CSV has more than 10,000 rows after its header.' });
    const huge = await api().post(path(phone)).set('authorization', key()).set('content-type', 'text/csv').send('x'.repeat(3 * 1_048_576)).expect(413);
    expect(huge.body).toMatchObject({ status: 'error', message: 'Request body is too large.' });
    const full = 'k,v\n' + Array.from({ length: 10_000 }, (_, i) => `${i},value-${i}`).join('\n');
    const ok = await api().post(path(phone)).set('authorization', key()).set('content-type', 'text/csv').send(full).expect(200);
    expect(ok.body.lookup.rows).toBe(10_000);
    expect(await tryKey(phone, '9999')).toEqual({ v: 'value-9999' });
    const read = await api().get(path(phone)).set('authorization', key()).expect(200);
    expect(read.body.lookup).toMatchObject({ source: 'csv', rows: 10_000 });
  });

  it('takes a URL instead (https, or allow-listed), shows its headers masked, and refuses private addresses', async () => {
    const phone = await ownNumber();
    await api().post(path(phone)).set('authorization', key()).send({ csv: SEED_CSV }).expect(200);
    const res = await api().post(path(phone)).set('authorization', key()).send({ url: 'https://crm.example.com/lookup', headers: { authorization: 'Bearer secret' }, timeout: 2000 }).expect(200);
    expect(res.body.lookup).toMatchObject({ source: 'url', url: 'https://crm.example.com/lookup', headers: { authorization: '[redacted]' }, timeout: 2000, columns: null, rows: null });
    expect(JSON.stringify(res.body)).not.toContain('secret');
    expect(await stack.db.collections.inboundLookupRows.countDocuments({ phone_number: phone })).toBe(0);
    // Trying a key asks the URL; one that cannot be reached is the number's dependency failing: a 424 with its reason.
    const tried = await api().get(`${path(phone)}?key=%2B14155550123`).set('authorization', key()).expect(424);
    expect(tried.body).toMatchObject({ status: 'error', message: 'The lookup URL could not be used.', errors: [expect.any(String)] });
    for (const [body, message] of [
      [{ url: 'http://127.0.0.1:9/x' }, expect.stringMatching(/^url /)],
      [{ url: 'https://169.254.169.254/latest' }, expect.stringContaining('metadata address')],
      [{ url: 'ftp://x' }, expect.stringMatching(/^url /)],
      [{ csv: SEED_CSV, url: 'https://crm.example.com' }, 'Send either csv or url, not both.'],
      [{}, 'Missing required parameter: csv or url.'],
      [{ csv: SEED_CSV, timeout: 1000 }, 'headers and timeout go with url, not csv.'],
      [{ url: 'https://crm.example.com', headers: { 'x-a': 'a\r\nb' } }, 'headers.x-a must be a string of at most 2000 characters, on one line.'],
      [{ csv: 5 }, 'csv must be a string (the CSV file\'s text).'],
      [{ sheet: 'x' }, expect.stringContaining('sheet is not a known field')],
    ] as const) {
      const r = await api().post(path(phone)).set('authorization', key()).send(body).expect(400);
      expect(r.body).toMatchObject({ status: 'error', errors: expect.arrayContaining([message]) });
    }
    // Still the URL.
    expect((await api().get(path(phone)).set('authorization', key()).expect(200)).body.lookup.source).toBe('url');
  });

  it("answers 404 for another organisation's number, and 400 for a malformed one, changing nothing", async () => {
    const other = await stack.newOrg();
    const theirs = await ownNumber(other.id);
    await api().post(path(theirs)).set('authorization', other.apiKey).send({ csv: SEED_CSV }).expect(200);
    for (const call of [
      api().post(path(theirs)).set('authorization', key()).send({ csv: 'k,v\nmine,1\n' }),
      api().get(path(theirs)).set('authorization', key()),
      api().delete(path(theirs)).set('authorization', key()),
    ]) {
      const r = await call.expect(404);
      expect(r.body).toEqual({ status: 'error', message: 'Inbound number not found.', errors: ['Inbound number not found.'] });
    }
    expect((await api().get(path(theirs)).query({ key: '0XXXXXXXXXX' }).set('authorization', other.apiKey).expect(200)).body.match).toEqual({ first_name: 'Ramesh', plan: 'Pro' });
    const malformed = await api().post('/v1/inbound/12ab/lookup').set('authorization', key()).send({ csv: SEED_CSV }).expect(400);
    expect(malformed.body.errors[0]).toMatch(/^phone_number: /);
  });

  it('removes the source', async () => {
    const phone = await ownNumber();
    await api().post(path(phone)).set('authorization', key()).send({ csv: SEED_CSV }).expect(200);
    expect((await api().delete(path(phone)).set('authorization', key()).expect(200)).body).toMatchObject({ status: 'success', removed: true });
    expect((await api().get(path(phone)).set('authorization', key()).expect(200)).body).toEqual({ lookup: null });
    expect((await api().delete(path(phone)).set('authorization', key()).expect(200)).body.removed).toBe(false);
    expect(await stack.db.collections.inboundLookupRows.countDocuments({ phone_number: phone })).toBe(0);
  });

  it('goes with its number when the number is deleted', async () => {
    const phone = await ownNumber();
    await api().post(path(phone)).set('authorization', key()).send({ csv: SEED_CSV }).expect(200);
    await api().delete(`/v1/inbound/${encodeURIComponent(phone)}`).set('authorization', key()).expect(200);
    expect(await stack.db.collections.inboundLookups.countDocuments({ _id: phone })).toBe(0);
    expect(await stack.db.collections.inboundLookupRows.countDocuments({ phone_number: phone })).toBe(0);
  });
});
