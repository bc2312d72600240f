import type { Database } from '../../src/db/database';
import { callWorkflowId } from '../../src/ids';
import { createLogger } from '../../src/logger';
import { startWorkerRole, type WorkerRole } from '../../src/worker-role';
import { events, sendCall, uniqueNumber, waitForCompletion } from '../helpers/calls';
import { activityTypesOf, localActivityAttempts } from '../helpers/histories';
import { startStack, type Stack } from '../helpers/stack';
import { interceptCalls } from '../helpers/troubled-store';

/**
 * The answered record is a local activity beside the opening's model turn, with one attempt of at
 * most 2 s. When the store refuses that attempt, or answers it too late, the call goes on and the
 * record is written behind by an activity of its own: nothing is lost, and the call's answer is
 * recorded once, even when the late attempt lands after its fallback.
 */
describe('the answered record when the store refuses it or is slow', () => {
  let stack: Stack;
  let worker: WorkerRole;
  /** What the store does to the first answer write of each next call: fail it, or hold it 3 s and then write it. */
  const nextAnswerWrite: Array<'refuse' | 'stall'> = [];
  const refused: string[] = [];
  const stalled: string[] = [];

  /** The stack's database, whose first write of a call's answer fails (a primary stepping down) or stalls. */
  const troubledFirstAnswer = (db: Database) =>
    interceptCalls(db, ['updateOne'], async (_method, [filter, update]) => {
      const id = (filter as { _id: string })._id;
      const answer = (update as { $set?: { queue_status?: string } }).$set?.queue_status === 'started';
      if (!answer || refused.includes(id) || stalled.includes(id) || nextAnswerWrite.length === 0) return;
      if (nextAnswerWrite.shift() === 'refuse') {
        refused.push(id);
        throw Object.assign(new Error('not primary'), { code: 10107 });
      }
      stalled.push(id);
      await new Promise((r) => setTimeout(r, 3_000));
    });

  beforeAll(async () => {
    stack = await startStack({ worker: false });
    worker = await startWorkerRole(stack.config, stack.endpoints, {
      db: troubledFirstAnswer(stack.db),
      logger: createLogger('silent'),
      workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! },
    });
  });
  afterAll(async () => {
    await worker.stop();
    await stack.stop();
  });

  it('goes on with the conversation and writes the record behind, once', async () => {
    nextAnswerWrite.push('refuse');
    const to = uniqueNumber();
    const utterances = ['Hello?', 'Fine, thanks. Bye.'];
    stack.simulator.scriptNumber(to, { answer: 'human', utterances });
    const id = await sendCall(stack, { phone_number: to, task: 'Say hello and end the call politely.' });
    const call = await waitForCompletion(stack, id, 60_000);
    expect(refused).toEqual([id]);
    expect(call).toMatchObject({ queue_status: 'complete', status: 'completed', completed: true, started_at: expect.any(String) });
    expect(call.transcripts.filter((t: { user: string }) => t.user === 'user').map((t: { text: string }) => t.text)).toEqual(utterances);
    expect((await events(stack, id)).filter((e) => e.message === 'Call answered (attempt 1)')).toHaveLength(1);
    const handle = stack.temporal.client.workflow.getHandle(callWorkflowId(id));
    await handle.result();
    const history = await handle.fetchHistory();
    // One local attempt, which failed, then the write as an activity of its own.
    expect(localActivityAttempts(history, 'updateCall')).toEqual([1]);
    expect(activityTypesOf(history).scheduled.filter((t) => t === 'updateCall')).toHaveLength(1);
  }, 90_000);

  it('stores the answer event once when the timed-out attempt lands after its fallback', async () => {
    nextAnswerWrite.push('stall');
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Hello?', 'Bye.'] });
    const id = await sendCall(stack, { phone_number: to, task: 'Say hello and end the call politely.' });
    const call = await waitForCompletion(stack, id, 60_000);
    expect(stalled).toEqual([id]);
    expect(call).toMatchObject({ queue_status: 'complete', completed: true, started_at: expect.any(String) });
    const history = await stack.temporal.client.workflow.getHandle(callWorkflowId(id)).fetchHistory();
    expect(activityTypesOf(history).scheduled.filter((t) => t === 'updateCall')).toHaveLength(1);
    // The stalled attempt writes 3 s after its start, whatever its timeout: wait for it to land.
    await new Promise((r) => setTimeout(r, 3_500));
    expect((await events(stack, id)).filter((e) => e.message === 'Call answered (attempt 1)')).toHaveLength(1);
  }, 90_000);
});
