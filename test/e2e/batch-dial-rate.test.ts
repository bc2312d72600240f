import request from 'supertest';
import { reserveDialSlots, reserveDialSlotsAndWaitShort, SHORT_WAIT_MAX_MS } from '../../src/batches/dial-rate';
import { simCallsTo, uniqueNumber } from '../helpers/calls';
import { eventually } from '../helpers/poll';
import { startStack, uid, type Stack } from '../helpers/stack';

/** BATCH_DIALS_PER_SECOND holds for an organisation as a whole: its batches share one dial schedule. */
describe('dial rate per organisation', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { BATCH_DIALS_PER_SECOND: '1' } });
  });
  afterAll(() => stack.stop());

  it('hands concurrent reservations distinct, consecutive slots', async () => {
    const org = `org-${uid()}`;
    const now = Math.ceil(Date.now() / 100) * 100;
    const waits = await Promise.all(Array.from({ length: 10 }, () => reserveDialSlots(stack.db.collections.dialSlots, org, 1, 10, now)));
    expect(waits.map((w) => w.waitMs).sort((a, b) => a - b)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  it('sleeps a wait shorter than a Temporal timer where it reserved, and leaves a longer one to the workflow', async () => {
    const org = `org-${uid()}`;
    const t0 = Date.now();
    // Ten dials a second, slot n at n × 100 ms: the fifth is 300-400 ms away, and it returns once that time has come.
    expect(await reserveDialSlotsAndWaitShort(stack.db.collections.dialSlots, org, 5, 10)).toEqual({ waitMs: 0 });
    expect(Date.now()).toBeGreaterThanOrEqual((Math.floor(t0 / 100) + 4) * 100);
    // One a second: the fifth slot is 4 s away, too long to hold the activity for.
    const { waitMs } = await reserveDialSlotsAndWaitShort(stack.db.collections.dialSlots, `org-${uid()}`, 5, 1);
    expect(waitMs).toBeGreaterThan(SHORT_WAIT_MAX_MS);
    expect(waitMs).toBeLessThanOrEqual(4000);
  });

  it('paces two batches of one organisation together, not each on its own', async () => {
    const rows = Array.from({ length: 6 }, () => uniqueNumber());
    for (const n of rows) stack.simulator.scriptNumber(n, { answer: 'human', utterances: ['Bye.'] });
    const send = (numbers: string[]) =>
      request(stack.apiUrl)
        .post('/v1/batches')
        .set('authorization', stack.org.apiKey)
        .send({ base_prompt: 'Hi', call_data: numbers.map((phone_number) => ({ phone_number })), max_concurrency: 10 })
        .expect(200);
    const ids = (await Promise.all([send(rows.slice(0, 3)), send(rows.slice(3))])).map((r) => r.body.batch_id as string);
    const dialled = await eventually(async () => {
      const calls = rows.flatMap((n) => simCallsTo(stack, n));
      return calls.length === 6 ? calls.map((c) => c.createdAt.getTime()).sort((a, b) => a - b) : null;
    }, 60_000, 100);
    for (const id of ids) {
      await eventually(async () => (await request(stack.apiUrl).get(`/v1/batches/${id}`).set('authorization', stack.org.apiKey).expect(200)).body.status === 'completed', 60_000, 200);
    }
    // 1 dial a second for the organisation: six slots, the sixth 5 s after the first. Paced per
    // batch, each batch's three dials would take 2 s and the six would fall within about 2 s.
    expect(dialled[5]! - dialled[0]!).toBeGreaterThanOrEqual(3500);
  });
});
