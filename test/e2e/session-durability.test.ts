import request from 'supertest';
import { eventually } from '../helpers/poll';
import { startStack, uid, type Stack } from '../helpers/stack';
import { exited, replaceWorker, spawnWorker } from '../helpers/worker-process';

/**
 * Kill the worker process (SIGKILL) while a bridged session rings its caller, or while both sides
 * talk: a new worker carries the same session to its end, and neither leg is ever dialled twice.
 */
describe('a bridged session survives a killed worker', () => {
  let stack: Stack;
  let trunk: string;
  beforeAll(async () => {
    // The carrier waits longer than Twilio's 15 s for a webhook, since the new worker has to start first.
    stack = await startStack({ worker: false, simulatorWebhookTimeoutMs: 60_000 });
    trunk = `pbx-${uid()}`;
    await request(stack.apiUrl).post('/v1/trunks').set('authorization', stack.org.apiKey).send({ name: trunk, host: 'pbx.example.test' }).expect(200);
  });
  afterAll(async () => {
    await stack.stop();
  });

  const get = async (id: string) => (await request(stack.apiUrl).get(`/sessions/${id}`).set('authorization', stack.org.apiKey).expect(200)).body.session;

  it.each(['ringing', 'bridged'] as const)('ends correctly after a kill while %s, each leg dialled once', async (killWhen) => {
    const [caller, callee] = [`7${uid().replace(/\D/g, '').padEnd(5, '1').slice(0, 5)}`, `8${uid().replace(/\D/g, '').padEnd(5, '2').slice(0, 5)}`];
    stack.simulator.scriptNumber(caller, { ringMs: 1500, utterances: ['One.', 'Two.', 'Three.', 'Four.'], speechDelayMs: 700 });
    stack.simulator.scriptNumber(callee, { utterances: ['A.', 'B.', 'C.'], speechDelayMs: 700 });
    let worker = spawnWorker(stack);
    try {
      const res = await request(stack.apiUrl).post('/sessions').set('authorization', `Bearer ${stack.org.apiKey}`).send({ caller, callee, send_sdp: true, trunk, additional_header: 'CALL_INFO', header_direction: 'ALL' }).expect(200);
      const id: string = res.body.session_id;
      if (killWhen === 'ringing') {
        await eventually(async () => stack.simulator.sip.invites.some((i) => i.user === caller), 60_000, 20);
      } else {
        await eventually(async () => (await get(id)).state === 'bridged', 60_000, 50);
      }
      worker = await replaceWorker(stack, worker);
      const done = await eventually(async () => {
        const s = await get(id);
        return s.state === 'ended' ? s : null;
      }, 90_000);
      expect(done).toMatchObject({ end_reason: 'completed', caller_leg: { status: 'completed' }, callee_leg: { status: 'completed' } });
      expect(done.transitions.map((t: { state: string }) => t.state)).toEqual(['ringing', 'answered', 'bridged', 'ending', 'ended']);
      const legs = (user: string) => stack.simulator.sip.invites.filter((i) => i.user === user);
      expect(legs(caller)).toHaveLength(1);
      expect(legs(callee)).toHaveLength(1);
      expect(legs(callee)[0]).toMatchObject({ call_info: 'answer-after=0', parent_call_sid: legs(caller)[0]!.call_sid });
      expect(stack.simulator.calls.get(legs(caller)[0]!.call_sid)!.errors).toEqual([]);
      const history = await stack.temporal.client.workflow.getHandle(`session-${id}`).fetchHistory();
      const dials = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'placeSessionLeg');
      expect(dials).toHaveLength(1);
    } finally {
      worker.kill('SIGTERM');
      await exited(worker);
    }
  }, 180_000);
});
