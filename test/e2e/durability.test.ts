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

  it.each([1, 2])('continues the conversation after a kill (run %i)', async () => {
    const utterances = ['Hi.', 'I am fine.', 'Tell me more.', 'Interesting.', 'What else?', 'Okay.', 'Sure.', 'Thanks, bye.'];
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances, speechDelayMs: 250 });

    let worker = spawnWorker(stack);
    const id = await sendCall(stack, { phone_number: to, task: 'Have a short chat.' });
    // A random point of the conversation: after 1 to 5 caller lines have been heard.
    const killAfter = 1 + Math.floor(Math.random() * 5);
    await eventually(async () => {
      const sim = simCallsTo(stack, to)[0];
      return sim && sim.transcript.filter((l) => l.speaker === 'callee').length >= killAfter;
    }, 60_000, 20);
    worker = await replaceWorker(stack, worker);
    try {
      const call = await waitForCompletion(stack, id, 90_000);
      const sims = simCallsTo(stack, to);
      expect(sims).toHaveLength(1);
      const sim = sims[0]!;
      expect(sim.errors).toEqual([]);
      expect(call).toMatchObject({ queue_status: 'complete', status: 'completed', completed: true });

      const said = (who: string) => call.transcripts.filter((t: { user: string }) => t.user === who).map((t: { text: string }) => t.text);
      expect(said('user')).toEqual(sim.transcript.filter((l) => l.speaker === 'callee').map((l) => l.text));
      expect(said('assistant')).toEqual(sim.transcript.filter((l) => l.speaker === 'agent').map((l) => l.text));
      expect(call.transcripts.map((t: { id: string }) => Number(t.id.split(':')[1]))).toEqual(call.transcripts.map((_: unknown, i: number) => i));
    } finally {
      worker.kill('SIGTERM');
      await exited(worker);
    }
  }, 180_000);

  it('dials once after a kill during the dial, which runs as a local activity: the new worker finds the call the carrier placed', async () => {
    const utterances = ['Hello?', 'Thanks, bye.'];
    const to = uniqueNumber();
    // The carrier places the call at once but answers the dial's request only after 6 s: the worker
    // dies in between, so the dial it made is known to the carrier and to nobody else.
    stack.simulator.scriptNumber(to, { answer: 'human', utterances, ringMs: 2_000, dialReplyDelayMs: 6_000 });
    let worker = spawnWorker(stack);
    const id = await sendCall(stack, { phone_number: to, task: 'Chat briefly.', first_sentence: 'Hello!' });
    await eventually(async () => simCallsTo(stack, to).length === 1, 60_000, 20);
    worker = await replaceWorker(stack, worker);
    try {
      const call = await waitForCompletion(stack, id, 90_000);
      const sims = simCallsTo(stack, to);
      expect(sims).toHaveLength(1);
      expect(sims[0]!.errors).toEqual([]);
      expect(call).toMatchObject({ queue_status: 'complete', status: 'completed', completed: true });
      expect(await stack.db.collections.calls.findOne({ _id: id })).toMatchObject({ provider_call_sid: sims[0]!.sid, dial_attempt: 1 });
      expect(call.transcripts.filter((t: { user: string }) => t.user === 'user').map((t: { text: string }) => t.text)).toEqual(utterances);
      const { scheduled, local } = activityTypesOf(await stack.temporal.client.workflow.getHandle(`call-${id}`).fetchHistory());
      expect(scheduled).not.toContain('placeCall');
      // The dying worker's dial left no marker: the dial the history holds is the new worker's.
      expect(local.filter((t) => t === 'placeCall')).toHaveLength(1);
      // The ringing and the answer that waited for that dial replay as they ran.
      await replayAndMaybeRecord(stack.temporal.client, `call-${id}`, 'phone-call-answered-before-redial');
    } finally {
      worker.kill('SIGTERM');
      await exited(worker);
    }
  }, 180_000);

  it('continues after a kill during a model turn, which runs as a local activity: the turn is neither lost nor doubled', async () => {
    const marker = `slow-${uid()}`;
    const utterances = ['Hi there.', 'Tell me a fact.', 'Thanks, bye.'];
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances, speechDelayMs: 100 });
    // The first caller line meets a slow model; the worker dies while it is thinking.
    stack.model.scripts.add({ match: marker, replies: [{ content: 'A slow answer.', delay_ms: 5_000 }] });
    let worker = spawnWorker(stack);
    const id = await sendCall(stack, { phone_number: to, task: `Chat briefly. ${marker}`, first_sentence: 'Hello!' });
    await eventually(async () => stack.model.scripts.pending() === 0, 60_000, 20);
    worker = await replaceWorker(stack, worker);
    try {
      const call = await waitForCompletion(stack, id, 90_000);
      const sims = simCallsTo(stack, to);
      expect(sims).toHaveLength(1);
      expect(sims[0]!.errors).toEqual([]);
      expect(call).toMatchObject({ queue_status: 'complete', completed: true });
      const said = (who: string) => call.transcripts.filter((t: { user: string }) => t.user === who).map((t: { text: string }) => t.text);
      // Every caller line once, in order, and every agent line the caller heard, once.
      expect(said('user')).toEqual(utterances);
      expect(said('assistant')).toEqual(sims[0]!.transcript.filter((l) => l.speaker === 'agent').map((l) => l.text));
      expect(said('assistant')).not.toContain('A slow answer.');
      const history = await stack.temporal.client.workflow.getHandle(`call-${id}`).fetchHistory();
      const scheduled = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
      expect(scheduled).not.toContain('agentTurn');
    } finally {
      worker.kill('SIGTERM');
      await exited(worker);
    }
  }, 180_000);
});
