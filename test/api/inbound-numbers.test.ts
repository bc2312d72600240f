import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { callWorkflowId } from '../../src/ids';
import { sendCall, uniqueNumber, waitForCompletion } from '../helpers/calls';
import { startStack, type Stack } from '../helpers/stack';

/**
 * Phone numbers through the real HTTP API, with the carrier simulator selling and holding them:
 * purchase (three paths), the inbound agent, the lists, own-account upload and delete, caller IDs,
 * and bad input answered in Bland's error shape with nothing half-written.
 */
describe('API: phone numbers', () => {
  let stack: Stack;
  const started: string[] = [];
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await Promise.allSettled(started.map((id) => stack.temporal.client.workflow.getHandle(callWorkflowId(id)).terminate('test cleanup')));
    await stack.stop();
  });
  const api = () => request(stack.apiUrl);
  const key = () => stack.org.apiKey;
  const heldAtCarrier = (phone: string) => [...stack.simulator.numbers.values()].filter((n) => n.phoneNumber === phone);
  const storedCount = () => stack.db.collections.inboundNumbers.countDocuments({});
  const newAccount = () => ({ sid: `AC${randomBytes(16).toString('hex')}`, token: randomBytes(16).toString('hex') });
  const ownAccount = async (apiKey = key()) => {
    const acct = newAccount();
    stack.simulator.addAccount(acct.sid, acct.token);
    const res = await api().post('/v1/accounts').set('authorization', apiKey).send({ account_sid: acct.sid, auth_token: acct.token }).expect(200);
    return { ...acct, encryptedKey: res.body.encrypted_key as string };
  };

  it('buys a number for an area code through the carrier, pointed at this API, and stores it as an inbound number', async () => {
    const res = await api().post('/numbers/purchase').set('authorization', key()).send({ area_code: '212', country_code: 'US' }).expect(200);
    const phone: string = res.body.phone_number;
    expect(phone).toMatch(/^\+1212555\d{4}$/);
    expect(res.body).toMatchObject({ status: 'success', message: `Successfully purchased ${phone}.`, inbound_number: { phone_number: phone, source: 'purchased', prompt: null, record: false, max_duration: 30 } });
    const [held] = heldAtCarrier(phone);
    expect(held).toMatchObject({ accountSid: stack.config.telephony.simulatorAccountSid, voiceMethod: 'POST', statusCallbackMethod: 'POST' });
    expect(held!.voiceUrl).toBe(new URL('/v1/telephony/twilio/voice', stack.endpoints.publicBaseUrl).toString());
    expect(held!.statusCallback).toBe(new URL('/v1/telephony/twilio/status', stack.endpoints.publicBaseUrl).toString());

    const one = await api().get(`/v1/inbound/${encodeURIComponent(phone)}`).set('authorization', key()).expect(200);
    expect(one.body).toMatchObject({ phone_number: phone, created_at: expect.any(String), prompt: null, webhook: null, pathway_id: null });
  });

  it('serves the purchase at /v1/numbers/purchase and /v1/inbound/purchase too, with an exact number, defaults and agent settings', async () => {
    const exact = '+14155550999';
    const a = await api().post('/v1/inbound/purchase').set('authorization', key()).send({ phone_number: exact, prompt: 'Answer politely.', webhook: 'https://example.com/hook' }).expect(200);
    expect(a.body.inbound_number).toMatchObject({ phone_number: exact, prompt: 'Answer politely.', webhook: 'https://example.com/hook' });
    // No body at all: US, area code 415.
    const b = await api().post('/v1/numbers/purchase').set('authorization', key()).expect(200);
    expect(b.body.phone_number).toMatch(/^\+1415555\d{4}$/);
    const gb = await api().post('/v1/numbers/purchase').set('authorization', key()).send({ country_code: 'gb' }).expect(200);
    expect(gb.body.phone_number).toMatch(/^\+447700900\d{3}$/);
  });

  it('updates the agent with every field of the seed, accepting the path number with +, %2B, the country code or none', async () => {
    const { body } = await api().post('/numbers/purchase').set('authorization', key()).send({ area_code: 303 }).expect(200);
    const phone: string = body.phone_number;
    const national = phone.slice(2);
    const settings = {
      prompt: 'You are Roberta.',
      voice: 'maya',
      background_track: 'office',
      first_sentence: 'Roberta speaking, how can I help you?',
      wait_for_greeting: true,
      interruption_threshold: 120,
      model: 'enhanced',
      tools: [],
      language: 'en-US',
      timezone: 'America/New_York',
      transfer_phone_number: '+14155550100',
      transfer_list: { default: '+14155550100' },
      dynamic_data: [],
      keywords: ['Switchboard'],
      max_duration: '12',
      webhook: 'https://example.com/inbound',
      analysis_schema: { happy: 'boolean' },
      metadata: { team: 'support' },
      summary_prompt: 'Summarise.',
      analysis_prompt: 'Analyse.',
      record: true,
      sip_header_variables: { 'X-CALLERNO': 'caller_no', 'X-UCID': 'ucid' },
      ingest_lookup_key: 'X-CALLERNO',
    };
    const res = await api().post(`/v1/inbound/%2B${phone.slice(1)}`).set('authorization', key()).send({ ...settings, reduce_latency: true }).expect(200);
    expect(res.body).toEqual({
      status: 'success',
      message: `Successfully updated number ${phone}.`,
      updates: { ...settings, pathway_id: null, max_duration: 12 },
      failed_updates: { reduce_latency: 'Not a setting of inbound numbers; not stored.' },
    });
    // Fields left out keep their value; null clears one.
    const cleared = await api().post(`/v1/inbound/1${national}`).set('authorization', key()).send({ sip_header_variables: null, ingest_lookup_key: null, voice: 'josh' }).expect(200);
    expect(cleared.body.updates).toMatchObject({ prompt: 'You are Roberta.', voice: 'josh', sip_header_variables: null, ingest_lookup_key: null, record: true });
    const read = await api().get(`/v1/inbound/${national}`).set('authorization', key()).expect(200);
    expect(read.body).toMatchObject({ phone_number: phone, voice: 'josh', sip_header_variables: null, max_duration: 12, keywords: ['Switchboard'] });

    const list = await api().get('/v1/inbound').set('authorization', key()).expect(200);
    expect(list.body.inbound_numbers.map((n: { phone_number: string }) => n.phone_number)).toContain(phone);
    expect(list.body.inbound_numbers.find((n: { phone_number: string }) => n.phone_number === phone)).toMatchObject({ voice: 'josh', webhook: 'https://example.com/inbound' });
  });

  it('refuses bad input in Bland\'s shape: malformed numbers, bad fields, a missing prompt, another organisation\'s number', async () => {
    const { body } = await api().post('/numbers/purchase').set('authorization', key()).send({ area_code: '720' }).expect(200);
    const phone: string = body.phone_number;
    for (const bad of ['12ab', '123', '%2B0000000000', '99999999999999999']) {
      const r = await api().get(`/v1/inbound/${bad}`).set('authorization', key()).expect(400);
      expect(r.body).toMatchObject({ status: 'error', message: 'Invalid parameters', errors: [expect.stringMatching(/^phone_number: Invalid phone number/)] });
    }
    const fields = await api().post(`/v1/inbound/${phone}`).set('authorization', key()).send({ prompt: 5, record: 'yes', webhook: 'ftp://x', sip_header_variables: { 'X-A': 'not a name' }, ingest_lookup_key: 'X Y' }).expect(400);
    expect(fields.body).toEqual({
      status: 'error',
      message: 'Invalid parameters',
      errors: [
        'prompt must be a string.',
        'webhook must be an http(s) URL.',
        'record must be a boolean.',
        "sip_header_variables.X-A must be a variable name (a letter or '_', then letters, digits or '_').",
        "ingest_lookup_key must be a SIP header name (letters, digits, '-' and '_'; at most 100).",
      ],
    });
    const noPrompt = await api().post(`/v1/inbound/${phone}`).set('authorization', key()).send({ voice: 'maya' }).expect(400);
    expect(noPrompt.body).toMatchObject({ status: 'error', errors: ['Missing required parameter: prompt.'] });
    const badTool = await api().post(`/v1/inbound/${phone}`).set('authorization', key()).send({ prompt: 'x', tools: ['TL-00000000-0000-0000-0000-000000000000'] }).expect(400);
    expect(badTool.body.errors[0]).toMatch(/no tool with id/);
    const noPathway = await api().post(`/v1/inbound/${phone}`).set('authorization', key()).send({ pathway_id: 'no-such-pathway' }).expect(404);
    expect(noPathway.body).toMatchObject({ status: 'error', message: 'Pathway not found.' });
    // Nothing of the refused updates was stored.
    expect((await api().get(`/v1/inbound/${phone}`).set('authorization', key()).expect(200)).body).toMatchObject({ prompt: null, voice: null, tools: null });

    const other = await stack.newOrg();
    for (const r of [
      await api().get(`/v1/inbound/${phone}`).set('authorization', other.apiKey),
      await api().post(`/v1/inbound/${phone}`).set('authorization', other.apiKey).send({ prompt: 'mine now' }),
      await api().delete(`/v1/inbound/${phone}`).set('authorization', other.apiKey),
    ]) {
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ status: 'error', message: 'Inbound number not found.', errors: ['Inbound number not found.'] });
    }
    expect((await api().get('/v1/inbound').set('authorization', other.apiKey).expect(200)).body).toEqual({ inbound_numbers: [] });
    await api().get(`/v1/inbound/+14155550000`).set('authorization', key()).expect(404);
    await api().post('/numbers/purchase').send({ area_code: '212' }).expect(401);
    // A word after /v1/inbound/ is left to the routes that serve words (POST /v1/inbound/session), never read as a number.
    const word = await api().post('/v1/inbound/session').set('authorization', key()).send({});
    expect(JSON.stringify(word.body)).not.toMatch(/Invalid phone number/);
  });

  it('stores nothing when the purchase is refused, by us or by the carrier', async () => {
    const before = await storedCount();
    const heldBefore = stack.simulator.numbers.size;
    const bad = await api().post('/numbers/purchase').set('authorization', key()).send({ area_code: '12', country_code: 'USA', phone_number: 'abc', colour: 'red' }).expect(400);
    expect(bad.body).toMatchObject({ status: 'error', message: 'Invalid parameters' });
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([
        'phone_number: Invalid phone number: ****.',
        'area_code must be a 3-digit area code.',
        'country_code must be a two-letter country code (US, CA, GB, …).',
        expect.stringMatching(/^Request body\.colour is not a known field/),
      ]),
    );
    // The carrier has no inventory in this country.
    const none = await api().post('/numbers/purchase').set('authorization', key()).send({ country_code: 'FR' }).expect(400);
    expect(none.body).toMatchObject({ status: 'error', message: 'The carrier refused to search for numbers.' });
    // Held by someone else at the carrier: the carrier refuses to sell it.
    const someoneElses = newAccount();
    stack.simulator.addAccount(someoneElses.sid, someoneElses.token);
    const taken = stack.simulator.addNumber(someoneElses.sid, '+14155550777');
    const refused = await api().post('/numbers/purchase').set('authorization', key()).send({ phone_number: taken.phoneNumber }).expect(400);
    expect(refused.body).toMatchObject({ status: 'error', message: 'The carrier refused to sell the number.', errors: [expect.stringContaining('not available')] });
    // An agent setting that fails Send Call's checks: refused before anything is bought.
    await api().post('/numbers/purchase').set('authorization', key()).send({ area_code: '646', tools: ['TL-00000000-0000-0000-0000-000000000000'] }).expect(400);
    expect(await storedCount()).toBe(before);
    expect(stack.simulator.numbers.size).toBe(heldBefore + 1);
    // Already an inbound number here.
    const mine = (await api().post('/numbers/purchase').set('authorization', key()).send({ area_code: '617' }).expect(200)).body.phone_number as string;
    const again = await api().post('/numbers/purchase').set('authorization', key()).send({ phone_number: mine }).expect(409);
    expect(again.body).toMatchObject({ status: 'error', message: `${mine} is already an inbound number.` });
  });

  it("uploads an own Twilio account's numbers, lists them by encrypted_key, and deletes them from this API only", async () => {
    const acct = await ownAccount();
    const held = [stack.simulator.addNumber(acct.sid, uniqueNumber()), stack.simulator.addNumber(acct.sid, uniqueNumber())];
    const notHeld = uniqueNumber();
    const res = await api()
      .post('/v1/inbound/insert')
      .set('authorization', key())
      .set('encrypted_key', acct.encryptedKey)
      .send({ numbers: [held[0]!.phoneNumber, held[1]!.phoneNumber.slice(2), notHeld] })
      .expect(200);
    expect(res.body).toEqual({ status: 'success', message: 'Successfully inserted numbers', inserted: [held[0]!.phoneNumber, held[1]!.phoneNumber] });
    // Pointed at this API in the customer's account.
    for (const n of held) expect(stack.simulator.numbers.get(n.sid)!.voiceUrl).toBe(new URL('/v1/telephony/twilio/voice', stack.endpoints.publicBaseUrl).toString());
    // A number already present is left out.
    const again = await api().post('/v1/inbound/insert').set('authorization', key()).set('encrypted_key', acct.encryptedKey).send({ numbers: [held[0]!.phoneNumber] }).expect(200);
    expect(again.body.inserted).toEqual([]);

    const filtered = await api().get('/v1/inbound').set('authorization', key()).set('encrypted_key', acct.encryptedKey).expect(200);
    expect(filtered.body.inbound_numbers.map((n: { phone_number: string }) => n.phone_number).sort()).toEqual(held.map((n) => n.phoneNumber).sort());
    expect(filtered.body.inbound_numbers[0]).toMatchObject({ source: 'own_account' });
    const all = await api().get('/v1/inbound').set('authorization', key()).expect(200);
    expect(all.body.inbound_numbers.length).toBeGreaterThan(2);

    // Deleting needs the account's key; the number stays in the customer's account.
    const noKey = await api().delete(`/v1/inbound/${held[0]!.phoneNumber}`).set('authorization', key()).expect(400);
    expect(noKey.body).toMatchObject({ status: 'error', message: 'Missing encrypted key' });
    const otherAcct = await ownAccount();
    await api().delete(`/v1/inbound/${held[0]!.phoneNumber}`).set('authorization', key()).set('encrypted_key', otherAcct.encryptedKey).expect(404);
    const del = await api().delete(`/v1/inbound/${encodeURIComponent(held[0]!.phoneNumber)}`).set('authorization', key()).set('encrypted_key', acct.encryptedKey).expect(200);
    expect(del.body).toEqual({ status: 'success', message: `Successfully deleted number from database: ${held[0]!.phoneNumber}` });
    const post = await api().post(`/v1/inbound/${held[1]!.phoneNumber.slice(1)}/delete`).set('authorization', key()).set('encrypted_key', acct.encryptedKey).expect(200);
    expect(post.body.status).toBe('success');
    expect(stack.simulator.numbers.has(held[0]!.sid)).toBe(true);
    await api().get(`/v1/inbound/${held[0]!.phoneNumber}`).set('authorization', key()).expect(404);
  });

  it('refuses insert without a valid key or numbers, and with another organisation\'s key', async () => {
    const missing = await api().post('/v1/inbound/insert').set('authorization', key()).send({ numbers: ['+14155550100'] }).expect(400);
    expect(missing.body).toMatchObject({ status: 'error', errors: ['Missing required parameter: encrypted_key.'] });
    const acct = await ownAccount();
    const noNumbers = await api().post('/v1/inbound/insert').set('authorization', key()).set('encrypted_key', acct.encryptedKey).send({}).expect(400);
    expect(noNumbers.body.errors).toEqual(['Missing required parameter: numbers.']);
    const badNumber = await api().post('/v1/inbound/insert').set('authorization', key()).set('encrypted_key', acct.encryptedKey).send({ numbers: ['+14155550100', 'nope'] }).expect(400);
    expect(badNumber.body.errors).toEqual(['numbers[1]: Invalid phone number: ****.']);
    const other = await stack.newOrg();
    const foreign = await api().post('/v1/inbound/insert').set('authorization', other.apiKey).set('encrypted_key', acct.encryptedKey).send({ numbers: ['+14155550100'] }).expect(400);
    expect(foreign.body).toMatchObject({ status: 'error', message: 'Invalid encrypted_key' });
  });

  it('releases a purchased number on delete', async () => {
    const phone = (await api().post('/numbers/purchase').set('authorization', key()).send({ area_code: '512' }).expect(200)).body.phone_number as string;
    expect(heldAtCarrier(phone)).toHaveLength(1);
    await api().delete(`/v1/inbound/${phone}`).set('authorization', key()).expect(200);
    expect(heldAtCarrier(phone)).toHaveLength(0);
    await api().get(`/v1/inbound/${phone}`).set('authorization', key()).expect(404);
  });

  it("lists the organisation's caller IDs with when a call last went out from each", async () => {
    const org = await stack.newOrg();
    const phone = (await api().post('/numbers/purchase').set('authorization', org.apiKey).send({ area_code: '206' }).expect(200)).body.phone_number as string;
    const before = await api().get('/v1/outbound').set('authorization', org.apiKey).expect(200);
    expect(before.body).toEqual({ outbound_numbers: [{ created_at: expect.any(String), phone_number: phone, last_initiated: null }] });
    const callId = await sendCall({ ...stack, org }, { phone_number: uniqueNumber(), from: phone, task: 'Say hello.', max_duration: 1 });
    started.push(callId);
    await waitForCompletion({ ...stack, org }, callId, 60_000);
    const after = await api().get('/v1/outbound').set('authorization', org.apiKey).expect(200);
    expect(after.body.outbound_numbers[0]).toMatchObject({ phone_number: phone, last_initiated: expect.any(String) });
  }, 90_000);
});
