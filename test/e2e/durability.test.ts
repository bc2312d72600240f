import { sendCall, simCallsTo, uniqueNumber, waitForCompletion } from '../helpers/calls';
import { uid } from '../helpers/stack';
import { activityTypesOf, replayAndMaybeRecord } from '../helpers/histories';
import { eventually } from '../helpers/poll';
import { startStack, type Stack } from '../helpers/stack';
import { exited, replaceWorker, spawnWorker } from '../helpers/worker-process';

/**
 * Kill the worker process (SIGKILL) at a random point of a live call, start a new one: the same
 * conversation goes on, with one dial, no lost and no doubled turn, and a complete final record.
 */
describe('a live call survives a killed worker', () => {
  let stack: Stack;
  beforeAll(async () => {
    // The carrier waits longer than Twilio's 15 s for a webhook, since the new worker has to start first.
    stack = await startStack({ worker: false, simulatorWebhookTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await stack.stop();
  });

  /**
   * Sends a call to a worker process of its own, kills that worker (SIGKILL) once `killWhen` holds,
   * starts another, and runs `check` on the call while the new worker serves it.
   */
  async function callThroughAKill(body: Record<string, unknown>, killWhen: () => boolean, check: (id: string) => Promise<void>): Promise<void> {
    let worker = spawnWorker(stack);
    try {
      const id = await sendCall(stack, body);
      await eventually(async () => killWhen(), 60_000, 20);
      worker = await replaceWorker(stack, worker);
      await check(id);
    } finally {
      worker.kill('SIGTERM');
      await exited(worker);
    }
  }

  /** The carrier saw one dial to `to`, and no error on it. */
  function oneCleanDial(to: string) {
    const sims = simCallsTo(stack, to);
    expect(sims).toHaveLength(1);
    expect(sims[0]!.errors).toEqual([]);
    return sims[0]!;
  }

  const said = (call: Record<string, unknown>, who: string) =>
    (call.transcripts as { user: string; text: string }[]).filter((t) => t.user === who).map((t) => t.text);

  it.each([1, 2])('continues the conversation after a kill (run %i)', async () => {
    const utterances = ['Hi.', 'I am fine.', 'Tell me more.', 'Interesting.', 'What else?', 'Okay.', 'Sure.', 'Thanks, bye.'];
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances, speechDelayMs: 250 });
    // A random point of the conversation: after 1 to 5 caller lines have been heard.
    const killAfter = 1 + Math.floor(Math.random() * 5);
    const heard = () => simCallsTo(stack, to)[0]?.transcript.filter((l) => l.speaker === 'callee').length ?? 0;
    await callThroughAKill({ phone_number: to, task: 'Have a short chat.' }, () => heard() >= killAfter, async (id) => {
      const call = await waitForCompletion(stack, id, 90_000);
      const sim = oneCleanDial(to);
      expect(call).toMatchObject({ queue_status: 'complete', status: 'completed', completed: true });
      expect(said(call, 'user')).toEqual(sim.transcript.filter((l) => l.speaker === 'callee').map((l) => l.text));
      expect(said(call, 'assistant')).toEqual(sim.transcript.filter((l) => l.speaker === 'agent').map((l) => l.text));
      expect(call.transcripts.map((t: { id: string }) => Number(t.id.split(':')[1]))).toEqual(call.transcripts.map((_: unknown, i: number) => i));
    });
  }, 180_000);

  it('dials once after a kill during the dial, which runs as a local activity: the new worker finds the call the carrier placed', async () => {
    const utterances = ['Hello?', 'Thanks, bye.'];
    const to = uniqueNumber();
    // The carrier places the call at once but answers the dial's request only after 6 s: the worker
    // dies in between, so the dial it made is known to the carrier and to nobody else.
    stack.simulator.scriptNumber(to, { answer: 'human', utterances, ringMs: 2_000, dialReplyDelayMs: 6_000 });
    const dialled = () => simCallsTo(stack, to).length === 1;
    await callThroughAKill({ phone_number: to, task: 'Chat briefly.', first_sentence: 'Hello!' }, dialled, async (id) => {
      const call = await waitForCompletion(stack, id, 90_000);
      const sim = oneCleanDial(to);
      expect(call).toMatchObject({ queue_status: 'complete', status: 'completed', completed: true });
      expect(await stack.db.collections.calls.findOne({ _id: id })).toMatchObject({ provider_call_sid: sim.sid, dial_attempt: 1 });
      expect(said(call, 'user')).toEqual(utterances);
      const { scheduled, local } = activityTypesOf(await stack.temporal.client.workflow.getHandle(`call-${id}`).fetchHistory());
      expect(scheduled).not.toContain('placeCall');
      // The dying worker's dial left no marker: the dial the history holds is the new worker's.
      expect(local.filter((t) => t === 'placeCall')).toHaveLength(1);
      // The ringing and the answer that waited for that dial replay as they ran.
      await replayAndMaybeRecord(stack.temporal.client, `call-${id}`, 'phone-call-answered-before-redial');
    });
  }, 180_000);

  it('continues after a kill during a model turn, which runs as a local activity: the turn is neither lost nor doubled', async () => {
    const marker = `slow-${uid()}`;
    const utterances = ['Hi there.', 'Tell me a fact.', 'Thanks, bye.'];
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances, speechDelayMs: 100 });
    // The first caller line meets a slow model; the worker dies while it is thinking.
    stack.model.scripts.add({ match: marker, replies: [{ content: 'A slow answer.', delay_ms: 5_000 }] });
    const thinking = () => stack.model.scripts.pending() === 0;
    await callThroughAKill({ phone_number: to, task: `Chat briefly. ${marker}`, first_sentence: 'Hello!' }, thinking, async (id) => {
      const call = await waitForCompletion(stack, id, 90_000);
      const sim = oneCleanDial(to);
      expect(call).toMatchObject({ queue_status: 'complete', completed: true });
      // Every caller line once, in order, and every agent line the caller heard, once.
      expect(said(call, 'user')).toEqual(utterances);
      expect(said(call, 'assistant')).toEqual(sim.transcript.filter((l) => l.speaker === 'agent').map((l) => l.text));
      expect(said(call, 'assistant')).not.toContain('A slow answer.');
      const { scheduled } = activityTypesOf(await stack.temporal.client.workflow.getHandle(`call-${id}`).fetchHistory());
      expect(scheduled).not.toContain('agentTurn');
    });
  }, 180_000);
});
