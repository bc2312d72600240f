import { sendCall, simCallsTo, uniqueNumber, waitForCompletion } from '../helpers/calls';
import { activityTypesOf, localActivityAttempts } from '../helpers/histories';
import { startStack, type Stack } from '../helpers/stack';

/**
 * A carrier that refuses dials with a 5xx: the dial (a local activity) is tried again, up to five
 * attempts (1 s doubling to 8 s apart), and a call whose every attempt is refused ends as queue_error.
 */
describe('dial retries against a failing carrier', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  const historyOf = (id: string) => stack.temporal.client.workflow.getHandle(`call-${id}`).fetchHistory();

  it('dials once the carrier recovers: one call placed, on the third attempt', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Hello?', 'Bye.'], dialFailures: 2 });
    const id = await sendCall(stack, { phone_number: to, task: 'Say hello.' });
    const call = await waitForCompletion(stack, id, 60_000);
    expect(call).toMatchObject({ queue_status: 'complete', status: 'completed' });
    expect(simCallsTo(stack, to)).toHaveLength(1);
    const history = await historyOf(id);
    expect(activityTypesOf(history).scheduled).not.toContain('placeCall');
    expect(localActivityAttempts(history, 'placeCall')).toEqual([3]);
  }, 90_000);

  it('ends the call as queue_error when every attempt is refused, and places nothing', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', dialFailures: 100 });
    const id = await sendCall(stack, { phone_number: to, task: 'Say hello.' });
    const call = await waitForCompletion(stack, id, 60_000);
    expect(call).toMatchObject({ queue_status: 'queue_error', completed: true });
    expect(call.error_message).toEqual(expect.stringContaining('Service Unavailable'));
    expect(simCallsTo(stack, to)).toHaveLength(0);
    expect(localActivityAttempts(await historyOf(id), 'placeCall')).toEqual([5]);
  }, 90_000);

  it('a dial that answers late: the answer waits for the variables the dial resolves', async () => {
    const to = uniqueNumber();
    // The callee picks up at once, but the carrier's answer to the dial takes 9 s: longer than the
    // workflow task is held for a local activity, so the answer reaches the workflow before the dial's result.
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Hello?', 'Bye.'], dialReplyDelayMs: 9_000 });
    const id = await sendCall(stack, { phone_number: to, task: 'Say hello.', first_sentence: 'Hello {{name}}, this is {{short_to}}.', request_data: { name: 'Ada' } });
    const call = await waitForCompletion(stack, id, 60_000);
    expect(call).toMatchObject({ queue_status: 'complete', status: 'completed' });
    expect(call.transcripts[0]).toMatchObject({ user: 'assistant', text: `Hello Ada, this is ${to.slice(-10)}.` });
    expect(call.variables).toMatchObject({ name: 'Ada', to });
    expect(localActivityAttempts(await historyOf(id), 'placeCall')).toEqual([1]);
  }, 90_000);
});
