import { callWorkflowId } from '../../src/ids';
import { createLogger } from '../../src/logger';
import { startWorkerRole, type WorkerRole } from '../../src/worker-role';
import { events, sendCall, simCallsTo, uniqueNumber, waitForCompletion } from '../helpers/calls';
import { localActivityAttempts } from '../helpers/histories';
import { startStack, type Stack } from '../helpers/stack';
import { interceptCalls } from '../helpers/troubled-store';

/**
 * A dial that resolves the call's variables (`variablesInDial`) and fails after the carrier has
 * already connected the callee: here the store refuses every write of the carrier's call SID, so all
 * five dial attempts fail although the call rings and is picked up at once. The answer, which waits
 * for the dial's variables, is refused once the dial has failed: the carrier hangs up and the call
 * ends as queue_error instead of waiting for ever on its answer handler.
 */
describe('a dial that fails after the callee has answered', () => {
  let stack: Stack;
  let worker: WorkerRole;
  let armed = false;
  const refusedSidWrites = new Set<string>();

  beforeAll(async () => {
    stack = await startStack({ worker: false });
    const db = interceptCalls(stack.db, ['updateOne'], (_method, [filter, update]) => {
      const id = (filter as { _id: string })._id;
      const sid = (update as { $set?: { provider_call_sid?: unknown } }).$set?.provider_call_sid;
      if (typeof sid !== 'string') return;
      if (armed && refusedSidWrites.size === 0) refusedSidWrites.add(id);
      if (refusedSidWrites.has(id)) throw Object.assign(new Error('not primary'), { code: 10107 });
    });
    worker = await startWorkerRole(stack.config, stack.endpoints, { db, logger: createLogger('silent'), workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! } });
  });
  afterAll(async () => {
    await worker.stop();
    await stack.stop();
  });

  it('refuses the waiting answer, hangs up, and ends the call as queue_error', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Hello?', 'Bye.'] });
    armed = true;
    const id = await sendCall(stack, { phone_number: to, task: 'Say hello.', first_sentence: 'Hello {{name}}.', request_data: { name: 'Ada' } });
    const call = await waitForCompletion(stack, id, 75_000);
    expect(refusedSidWrites).toEqual(new Set([id]));
    expect(call).toMatchObject({ queue_status: 'queue_error', completed: true, started_at: null });
    expect(call.error_message).toEqual(expect.stringContaining('not primary'));
    expect(call.transcripts).toEqual([]);
    // The carrier did connect the callee, once; the refused answer hung the line up.
    const [placed, ...others] = simCallsTo(stack, to);
    expect(others).toHaveLength(0);
    expect(placed).toMatchObject({ answeredAt: expect.any(Date), endedAt: expect.any(Date) });
    expect((await events(stack, id)).map((e) => e.message)).not.toContain('Call answered (attempt 1)');
    const history = await stack.temporal.client.workflow.getHandle(callWorkflowId(id)).fetchHistory();
    expect(localActivityAttempts(history, 'placeCall')).toEqual([5]);
  }, 100_000);
});
