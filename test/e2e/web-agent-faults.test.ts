import { getCall, waitForCompletion } from '../helpers/calls';
import { eventually } from '../helpers/poll';
import { startStack, type Stack } from '../helpers/stack';
import { authorize, createAgent, webClient } from '../helpers/web-agents';

/**
 * The browser channel when the model or the speech endpoint fails (the offline model's faults):
 * the visitor is told in an error frame, nothing of the failed turn is kept, and the session goes on.
 */
describe('e2e: web agents when a turn or its speech fails', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });
  afterEach(() => {
    stack.model.faults.completions = 0;
    stack.model.faults.speech = 0;
  });

  it('a turn whose model fails through every retry is turn_failed, leaves no line, and the next message is answered', async () => {
    const agentId = await createAgent(stack, { prompt: 'You answer questions about the harbour ferry.', first_sentence: 'Ferry desk, hello!' });
    const web = webClient(stack);
    const { call_id } = await web.client.connect(agentId, await authorize(stack, agentId));
    // A model turn is tried four times (workflows/activity-proxies.ts): all four fail.
    stack.model.faults.completions = 4;
    await expect(web.client.send('When is the last ferry?')).rejects.toMatchObject({ code: 'turn_failed' });
    expect(stack.model.faults.completions).toBe(0);
    const reply = await web.client.send('When is the first ferry?');
    expect(reply.text).toContain('You said "When is the first ferry?"');
    // The failed message was not kept: the caller may simply say it again.
    const texts = web.lines.map((l) => l.text);
    expect(texts).toEqual(['Ferry desk, hello!', 'When is the first ferry?', reply.text]);
    expect((await getCall(stack, call_id)).transcripts.map((t: { text: string }) => t.text)).toEqual(texts);
    await web.client.end();
    expect(await waitForCompletion(stack, call_id)).toMatchObject({ queue_status: 'complete', call_ended_by: 'USER' });
  });

  it('a reply that cannot be spoken still arrives as text, with voice_unavailable, and the next one is spoken', async () => {
    const agentId = await createAgent(stack, { prompt: 'You answer questions about the harbour ferry.', first_sentence: 'Ferry desk, hello!' });
    const web = webClient(stack);
    const errors: Array<{ code: string }> = [];
    const audio: Array<{ seq: number }> = [];
    web.client.on('error', (e: { code: string }) => errors.push(e));
    web.client.on('audio', (a: { seq: number }) => audio.push(a));
    const { call_id } = await web.client.connect(agentId, await authorize(stack, agentId));
    stack.model.faults.speech = 1;
    const first = await web.client.send('Is there a cafe on board?', { speak: true });
    expect(first.text).toContain('You said "Is there a cafe on board?"');
    await eventually(async () => (errors.length > 0 ? errors : null), 10_000);
    expect(errors).toMatchObject([{ code: 'voice_unavailable' }]);
    expect(audio).toEqual([]);
    const second = await web.client.send('Can I bring a bicycle?', { speak: true });
    expect(second.text).toContain('You said "Can I bring a bicycle?"');
    await eventually(async () => (audio.length > 0 ? audio : null), 10_000);
    expect(audio[0]!.seq).toBe(web.lines.at(-1)!.seq);
    expect(errors).toHaveLength(1);
    await web.client.end();
    await waitForCompletion(stack, call_id);
  });
});
