import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { postSignedWebhook } from '../../src/simulator/carrier/signed-webhook';
import { accountIdOf } from '../../src/telephony/carrier-accounts';
import { twilioWebhookUrl } from '../../src/telephony/webhook-urls';
import { simCallsTo, uniqueNumber, waitForCompletion } from '../helpers/calls';
import { startStack, type Stack } from '../helpers/stack';

/**
 * Bring your own Twilio: POST /v1/accounts seals an account's credentials and answers an
 * encrypted_key; a call sent with that header is placed on that account (the simulator checks the
 * REST Basic auth against the accounts it knows) and its webhooks verify with that account's token.
 */
describe('custom Twilio accounts (encrypted_key)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  const newAccount = () => ({ sid: `AC${randomBytes(16).toString('hex')}`, token: randomBytes(16).toString('hex') });
  const api = () => request(stack.apiUrl);
  const createKey = async (apiKey: string, sid: string, token: string): Promise<string> => {
    const res = await api().post('/v1/accounts').set('authorization', apiKey).send({ account_sid: sid, auth_token: token }).expect(200);
    expect(res.body).toEqual({ status: 'success', encrypted_key: expect.stringMatching(/^ek_[A-Za-z0-9_-]{43}$/) });
    return res.body.encrypted_key as string;
  };
  const sendWithKey = (key: string, body: Record<string, unknown>, apiKey = stack.org.apiKey) =>
    api().post('/v1/calls').set('authorization', apiKey).set('encrypted_key', key).send(body);

  it('refuses bad account input with the seed error shape', async () => {
    const auth = stack.org.apiKey;
    const bad = async (body: unknown, expected: string) => {
      const res = await api().post('/v1/accounts').set('authorization', auth).send(body as object).expect(400);
      expect(res.body).toMatchObject({ status: 'error', errors: expect.arrayContaining([expected]) });
    };
    await bad({}, 'Missing required parameter: account_sid.');
    await bad({ account_sid: newAccount().sid }, 'Missing required parameter: auth_token.');
    await bad({ account_sid: 'AC123', auth_token: newAccount().token }, 'account_sid must be a Twilio Account SID: AC followed by 32 hex digits.');
    await bad({ account_sid: newAccount().sid, auth_token: 12345 }, 'auth_token must be a string of 16 to 128 printable characters.');
    await bad({ ...{ account_sid: newAccount().sid, auth_token: newAccount().token }, region: 'us1' }, 'Unknown parameter: region.');
    const malformed = await api().post('/v1/accounts').set('authorization', auth).set('content-type', 'application/json').send('{"account_sid": ').expect(400);
    expect(malformed.body.status).toBe('error');
    await api().post('/v1/accounts').send({ account_sid: newAccount().sid, auth_token: newAccount().token }).expect(401);
  });

  it('places the call on the customer account, verifies its webhooks with that token, and completes', async () => {
    const acct = newAccount();
    stack.simulator.addAccount(acct.sid, acct.token);
    const key = await createKey(stack.org.apiKey, acct.sid, acct.token);
    // Sealed at rest: neither the token nor the key itself is stored.
    const doc = await stack.db.collections.accounts.findOne({ _id: accountIdOf(key) });
    expect(doc).toMatchObject({ org_id: stack.org.id, account_sid: acct.sid, disabled_at: null });
    expect(JSON.stringify(doc)).not.toContain(acct.token);
    expect(JSON.stringify(doc)).not.toContain(key);

    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Hello?', 'Fine, thanks. Bye.'] });
    const res = await sendWithKey(key, { phone_number: to, task: 'Say hello.', record: true }).expect(200);
    const call = await waitForCompletion(stack, res.body.call_id, 60_000);
    expect(call).toMatchObject({ queue_status: 'complete', status: 'completed' });
    expect(call.recording_url).toEqual(expect.stringContaining(`/Accounts/${acct.sid}/Recordings/`));
    const [sim, ...more] = simCallsTo(stack, to);
    expect(more).toHaveLength(0);
    expect(sim!.req.accountSid).toBe(acct.sid);
    // Every webhook the simulator sent (signed with the customer's token) was accepted.
    expect(sim!.errors).toEqual([]);
    expect(call.transcripts.map((t: { text: string }) => t.text)).toContain('Hello?');
    // The final record's transcript (from the workflow's own state) matches the stored lines.
    expect(call.concatenated_transcript).toBe(call.transcripts.map((t: { user: string; text: string }) => `${t.user}: ${t.text}`).join(' \n '));

    // The recording lives on the customer's account, and its audio is fetched with that account.
    const audio = await api().get(`/v1/calls/${res.body.call_id}/recording`).set('authorization', stack.org.apiKey).set('accept', 'audio/wav').buffer(true).expect(200);
    expect(audio.headers['content-type']).toMatch(/^audio\//);
    expect(audio.body.subarray(0, 4).toString('ascii')).toBe('RIFF');

    // A webhook for that call signed with another token is refused.
    const url = twilioWebhookUrl(stack.endpoints.publicBaseUrl, 'status', res.body.call_id);
    const params = { CallSid: sim!.sid, AccountSid: acct.sid, CallStatus: 'completed' };
    expect((await postSignedWebhook(newAccount().token, url, params)).status).toBe(403);
    // With the account's own token the signature passes: 204, or 404 once the workflow has closed (the signal has nowhere to go).
    expect([204, 404]).toContain((await postSignedWebhook(acct.token, url, params)).status);

    // The customer's token is good for its own calls only: not for a call on the server's account.
    const plainTo = uniqueNumber();
    stack.simulator.scriptNumber(plainTo, { answer: 'human', utterances: ['Bye.'] });
    const plain = await api().post('/v1/calls').set('authorization', stack.org.apiKey).send({ phone_number: plainTo, task: 'Say hello.' }).expect(200);
    await waitForCompletion(stack, plain.body.call_id, 60_000);
    const plainSim = simCallsTo(stack, plainTo)[0]!;
    expect(plainSim.req.accountSid).toBe(stack.config.telephony.simulatorAccountSid);
    const plainUrl = twilioWebhookUrl(stack.endpoints.publicBaseUrl, 'status', plain.body.call_id);
    expect((await postSignedWebhook(acct.token, plainUrl, { CallSid: plainSim.sid, AccountSid: acct.sid, CallStatus: 'completed' })).status).toBe(403);
  }, 120_000);

  it('fails the dial as queue_error when the carrier refuses the account credentials', async () => {
    const acct = newAccount(); // never opened at the carrier
    const key = await createKey(stack.org.apiKey, acct.sid, acct.token);
    const to = uniqueNumber();
    const res = await sendWithKey(key, { phone_number: to, task: 'Say hello.' }).expect(200);
    const call = await waitForCompletion(stack, res.body.call_id, 60_000);
    expect(call.queue_status).toBe('queue_error');
    expect(simCallsTo(stack, to)).toHaveLength(0);
  }, 90_000);

  it('refuses unknown, malformed, disabled and other organisations\' keys before anything starts', async () => {
    const acct = newAccount();
    stack.simulator.addAccount(acct.sid, acct.token);
    const key = await createKey(stack.org.apiKey, acct.sid, acct.token);
    const to = uniqueNumber();
    const refused = async (k: string, apiKey = stack.org.apiKey) => {
      const r = await sendWithKey(k, { phone_number: to, task: 'x' }, apiKey).expect(400);
      expect(r.body).toMatchObject({ status: 'error', message: 'Invalid encrypted_key' });
    };
    await refused(`ek_${randomBytes(32).toString('base64url')}`);
    await refused('not-a-key');
    const other = await stack.newOrg();
    await refused(key, other.apiKey);
    // The other organisation cannot disable it either.
    const foreign = await api().delete('/v1/accounts/delete').set('authorization', other.apiKey).set('encrypted_key', key).expect(404);
    expect(foreign.body).toMatchObject({ status: 'error', message: 'Error deleting Twilio credentials' });

    const missing = await api().delete('/v1/accounts/delete').set('authorization', stack.org.apiKey).expect(400);
    expect(missing.body).toMatchObject({ status: 'error', message: 'Missing encrypted key' });
    await api().delete('/v1/accounts/delete').set('authorization', stack.org.apiKey).set('encrypted_key', key).expect(200, { status: 'success' });
    await refused(key);
    // Already disabled; the seed's POST form answers the same.
    await api().post('/v1/accounts/delete').set('authorization', stack.org.apiKey).set('encrypted_key', key).expect(404);
    const key2 = await createKey(stack.org.apiKey, acct.sid, acct.token);
    await api().post('/v1/accounts/delete').set('authorization', stack.org.apiKey).set('encrypted_key', key2).expect(200, { status: 'success' });
    expect(simCallsTo(stack, to)).toHaveLength(0);
    const calls = await api().get('/v1/calls').query({ to_number: to }).set('authorization', stack.org.apiKey).expect(200);
    expect(calls.body.calls).toEqual([]);
  });
});
