import request from 'supertest';
import { inboundCallId } from '../../src/calls/inbound-call';
import type { SimulatedCall } from '../../src/simulator/carrier/simulated-call';
import { events as callEvents, uniqueNumber, waitForCompletion } from '../helpers/calls';
import { startStack, type Stack } from '../helpers/stack';

/**
 * The caller's SIP context end to end (seeds 002 and 000): a number bought and configured through
 * the API, its lookup CSV uploaded, and the carrier simulator's caller dialling in with SIP
 * headers → voice webhook → call workflow → resolveInboundContext → the prompt the offline model
 * sees, which it speaks verbatim ("Say exactly:"), so the transcript shows the rendered prompt.
 */
describe('e2e: inbound SIP context', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  const api = () => request(stack.apiUrl);
  const key = () => stack.org.apiKey;
  const SEED_CSV = 'contact_number,first_name,plan\n0XXXXXXXXXX,Ramesh,Pro\n08860123456,Anita,Basic\n';
  const PROMPT =
    'You answer for {account}. Say exactly: "Hello {first_name}, plan {plan}. Caller {caller_no}, account {account}, session {ucid}, DID {{sip_header_x-did}}, customer {{customer_id}}."';

  async function seedNumber(): Promise<string> {
    const phone = (await api().post('/v1/inbound/purchase').set('authorization', key()).send({ area_code: '628' }).expect(200)).body.phone_number as string;
    await api()
      .post(`/v1/inbound/${encodeURIComponent(phone)}`)
      .set('authorization', key())
      .send({ prompt: PROMPT, sip_header_variables: { 'X-CALLERNO': 'caller_no', 'X-UCID': 'ucid', 'X-ACCOUNT': 'account' }, ingest_lookup_key: 'X-CALLERNO' })
      .expect(200);
    await api().post(`/v1/inbound/${encodeURIComponent(phone)}/lookup`).set('authorization', key()).set('content-type', 'text/csv').send(SEED_CSV).expect(200);
    return phone;
  }

  async function call(to: string, from: string, sipHeaders: Record<string, string>) {
    const sim: SimulatedCall = stack.simulator.placeInboundCall({ to, from, script: { utterances: ['Thanks, goodbye.'] }, sipHeaders });
    await sim.done;
    expect(sim.errors).toEqual([]);
    expect(sim.rejected).toBe(false);
    const callId = inboundCallId(sim.req.accountSid, sim.sid);
    const record = await waitForCompletion(stack, callId);
    const first = (record.transcripts as Array<{ user: string; text: string }>).find((t) => t.user === 'assistant')?.text;
    const messages = (await callEvents(stack, callId)).map((e) => e.message);
    return { record, first, messages };
  }

  it("renders the seed's worked example into the prompt: headers, then the CSV row keyed by X-CALLERNO", async () => {
    const phone = await seedNumber();
    const { record, first, messages } = await call(phone, uniqueNumber(), {
      'X-CALLERNO': '0XXXXXXXXXX',
      'X-UCID': 'XXXXXXXXXXXXXXXXX',
      'X-ACCOUNT': '<account_id>',
      'X-DID': '91XXXXXXXXXX',
    });
    expect(first).toBe('Hello Ramesh, plan Pro. Caller 0XXXXXXXXXX, account <account_id>, session XXXXXXXXXXXXXXXXX, DID 91XXXXXXXXXX, customer .');
    expect(record.variables).toMatchObject({ caller_no: '0XXXXXXXXXX', ucid: 'XXXXXXXXXXXXXXXXX', account: '<account_id>', first_name: 'Ramesh', plan: 'Pro' });
    expect(messages).toContainEqual(expect.stringMatching(/^Lookup CSV: the row for \*+XXXX was found/));
  });

  it("goes on with a missing header, falls back to the caller's number, lets the CSV win, and applies a session token", async () => {
    const phone = await seedNumber();
    const caller = uniqueNumber();
    await api()
      .post(`/v1/inbound/${encodeURIComponent(phone)}/lookup`)
      .set('authorization', key())
      .send({ csv: `contact_number,first_name,plan,account\n${caller},Callie,Gold,from-csv\n` })
      .expect(200);
    const session = await api().post('/v1/inbound/session').set('authorization', key()).send({ phone_number: phone, request_data: { customer_id: 'C-42' }, voice: 'June' }).expect(200);
    const { first, messages } = await call(phone, caller, {
      'X-ACCOUNT': '{{customer_id}} from header',
      'X-Bland-Session-Id': session.body.token,
    });
    // No X-CALLERNO: caller_no is empty, and the lookup used the caller's number; the CSV's account wins over the header's.
    expect(first).toBe('Hello Callie, plan Gold. Caller , account from-csv, session , DID , customer C-42.');
    expect(messages).toContainEqual(expect.stringMatching(/^Warning: the lookup key header X-CALLERNO is not on this call/));
    expect(messages).toContainEqual(expect.stringContaining('SIP header X-UCID (variable ucid) is not on this call'));
    expect(messages).toContainEqual(expect.stringMatching(/^Inbound session \*+.{4}: 1 variables and its voice applied\./));
    expect(JSON.stringify(messages)).not.toContain(session.body.token);

    // A token for another number: the call goes on without it.
    const other = await seedNumber();
    const again = await call(other, uniqueNumber(), { 'X-CALLERNO': '08860123456', 'x-bland-session-id': session.body.token });
    expect(again.first).toBe('Hello Anita, plan Basic. Caller 08860123456, account , session , DID , customer .');
    expect(again.messages).toContainEqual(expect.stringMatching(/was created for another number; the call goes on without it\.$/));
  });
});
