import request from 'supertest';
import { eventually } from '../helpers/poll';
import { createPathway } from '../helpers/pathway-fixtures';
import { inboundCallId } from '../../src/calls/inbound-call';
import { events, sendCall, simCallsTo, uniqueNumber, waitForCompletion } from '../helpers/calls';
import { startStack, type Stack } from '../helpers/stack';
import { authorize, createAgent, webClient } from '../helpers/web-agents';

const para = (lead: string, filler: string) => `${lead} ${`${filler} `.repeat(8).trim()}`;
/** Four passages of their own (each over half a chunk); only one holds the password. */
const GUIDE = [
  para('Checkout. Checkout is at eleven in the morning; late checkout until one costs twenty dollars.', 'Leave the keys on the kitchen table and close the windows before leaving.'),
  para('Breakfast. Breakfast is served on the terrace from seven until ten.', 'The bakery delivers fresh bread and pastries every morning at half past six.'),
  para('Wifi. The guest wifi network is LakesideGuest and its password is PELICAN-4417.', 'The router sits in the hallway cupboard; restart it by unplugging it for ten seconds.'),
  para('Parking. Guests park behind the boathouse, never on the lawn.', 'Trailers and boats go on the gravel strip by the jetty, and the gate closes at midnight.'),
].join('\n\n');

/**
 * A knowledge base in a live call, every layer real: the API stores and the worker indexes the
 * guide; the offline model picks the knowledge base's search tool for a question about its topics,
 * the runTool activity embeds the question and ranks the passages, and the model's next reply is
 * built from them. The control call has no knowledge base and cannot say the password.
 */
describe('e2e: a call that answers from a knowledge base', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });
  const api = () => request(stack.apiUrl);
  const task = 'You are Sam, the front desk assistant of the Lakeside Inn. Answer the guest questions politely.';
  const agentLines = (call: Record<string, any>) =>
    call.transcripts.filter((t: { user: string }) => t.user === 'assistant').map((t: { text: string }) => t.text).join('\n');
  const indexedGuide = async () => {
    const created = await api()
      .post('/vectors')
      .set('authorization', stack.org.apiKey)
      .send({ name: 'Lakeside Inn guide', description: 'House rules for guests: checkout, breakfast, wifi password and parking.', text: GUIDE })
      .expect(200);
    const kbId: string = created.body.vector_id;
    await eventually(async () => (await api().get(`/vectors/${kbId}`).set('authorization', stack.org.apiKey)).body.index_status === 'ready');
    return kbId;
  };
  /** A web session with an agent: the visitor asks the question; everything the agent said in its reply. */
  const askWebAgent = async (agent: Record<string, unknown>, question: string) => {
    const agentId = await createAgent(stack, { first_sentence: 'Lakeside Inn, Sam speaking.', prompt: task, ...agent });
    const web = webClient(stack);
    const session = await web.client.connect(agentId, await authorize(stack, agentId));
    const reply = await web.client.send(question);
    await web.client.end();
    await web.endedFrame();
    return { callId: session.call_id, reply: reply.text };
  };

  it('tells the caller a fact only the knowledge base holds; without it the agent does not know it', async () => {
    const kbId = await indexedGuide();
    const question = 'Hi, what is the wifi password here?';
    const withKb = uniqueNumber();
    stack.simulator.scriptNumber(withKb, { utterances: [question, 'Thanks, bye.'] });
    const callId = await sendCall(stack, { phone_number: withKb, first_sentence: 'Lakeside Inn, Sam speaking.', task, tools: [kbId] });

    const control = uniqueNumber();
    stack.simulator.scriptNumber(control, { utterances: [question, 'Thanks, bye.'] });
    const controlId = await sendCall(stack, { phone_number: control, first_sentence: 'Lakeside Inn, Sam speaking.', task });

    const call = await waitForCompletion(stack, callId);
    expect(call.queue_status).toBe('complete');
    expect(agentLines(call)).toContain('PELICAN-4417');
    // What the caller heard, not only what was recorded.
    expect(simCallsTo(stack, withKb)[0]!.transcript.some((l) => l.speaker === 'agent' && l.text.includes('PELICAN-4417'))).toBe(true);

    // The event stream shows what the agent knew: the knowledge base, the question and the passages.
    const log = await eventually(async () => {
      const evs = await events(stack, callId);
      return evs.some((e) => e.message.startsWith(`Knowledge base ${kbId}`)) ? evs : null;
    });
    const searched = log.find((e) => e.message.startsWith(`Knowledge base ${kbId}`))!;
    expect(searched).toMatchObject({ level: 'tool', category: 'info' });
    expect(searched.message).toContain(`for "${question}"`);
    expect(searched.message.split('\n')[1]).toContain('PELICAN-4417');
    expect(log.some((e) => e.level === 'tool' && e.message.includes(`kb://${kbId} → 200`))).toBe(true);

    const plain = await waitForCompletion(stack, controlId);
    expect(plain.queue_status).toBe('complete');
    expect(agentLines(plain)).not.toContain('PELICAN');
    expect(agentLines(plain)).toContain(question);
    expect((await events(stack, controlId)).some((e) => e.level === 'tool')).toBe(false);
  });

  it("gives a pathway's Knowledge Base node whose kb is a KB- id the passages for the caller's question", async () => {
    const created = await api()
      .post('/v1/vectors')
      .set('authorization', stack.org.apiKey)
      .send({ name: 'Lakeside Inn guide', description: 'House rules for guests.', text: GUIDE })
      .expect(200);
    const kbId: string = created.body.vector_id;
    await eventually(async () => (await api().get(`/vectors/${kbId}`).set('authorization', stack.org.apiKey)).body.index_status === 'ready');
    const pathwayId = await createPathway(stack, {
      name: `Lakeside ${kbId}`,
      nodes: [
        { id: 'start', type: 'Default', data: { name: 'Start', isStart: true, text: 'Lakeside Inn, how can I help?' } },
        { id: 'faq', type: 'Knowledge Base', data: { name: 'Guest questions', prompt: "Answer the guest's question in one line.", kb: kbId } },
      ],
      edges: [{ id: 'e-faq', source: 'start', target: 'faq', label: 'guest asks a question' }],
    });
    // The route is scripted; the reply is scripted to need the best passage in the prompt, ranked first under its knowledge base's id.
    stack.model.scripts.add({ match: 'Decision at node "start"', replies: [{ json: { route: 'faq' } }] });
    stack.model.scripts.add({ match: `[1] (${kbId}) Wifi. The guest wifi network is LakesideGuest and its password is PELICAN-4417.`, replies: [{ content: 'The password is PELICAN-4417.' }] });
    const chat = await api().post('/v1/pathway/chat/create').set('authorization', stack.org.apiKey).send({ pathway_id: pathwayId }).expect(200);
    const chatId: string = chat.body.chat_id;
    await api().post(`/v1/pathway/chat/${chatId}`).set('authorization', stack.org.apiKey).send({ message: 'Hi' }).expect(200);
    const answer = await api().post(`/v1/pathway/chat/${chatId}`).set('authorization', stack.org.apiKey).send({ message: 'What is the wifi password?' }).expect(200);
    expect(answer.body).toMatchObject({ current_node_id: 'faq', assistant_response: 'The password is PELICAN-4417.' });
    expect(stack.model.scripts.clear()).toBe(0);
    const log = await events(stack, chatId);
    const searched = log.find((e) => e.message.startsWith(`Knowledge base ${kbId} at node Guest questions`));
    expect(searched?.message).toContain('for "What is the wifi password?"');
    expect(searched?.message.split('\n')[1]).toContain('PELICAN-4417');
    // pathway_logs show the search too: the knowledge base, the question and the passages the model was given.
    // The chat is live and its logs go to the store with its next turn record: the read takes them from the workflow.
    const call = await api().get(`/v1/calls/${chatId}`).set('authorization', stack.org.apiKey).expect(200);
    const logs = (call.body.pathway_logs as Array<Record<string, any>>).find((l) => l.kind === 'knowledge')!;
    expect(logs).toMatchObject({ kind: 'knowledge', kb_id: kbId, from: { id: 'faq' }, why: `Knowledge base ${kbId}: ${logs.passages.length} passage(s) for "What is the wifi password?".` });
    expect(logs.passages[0].text).toContain('PELICAN-4417');
  });

  it("gives a web agent whose tools hold a KB- id the knowledge base's search; an agent without it does not know", async () => {
    const kbId = await indexedGuide();
    const question = 'Hi, what is the wifi password here?';
    const withKb = await askWebAgent({ tools: [kbId] }, question);
    expect(withKb.reply).toContain('PELICAN-4417');
    const searched = await eventually(async () => (await events(stack, withKb.callId)).find((e) => e.message.startsWith(`Knowledge base ${kbId}`)) ?? null);
    expect(searched.message.split('\n')[1]).toContain('PELICAN-4417');

    const control = await askWebAgent({}, question);
    expect(control.reply).not.toContain('PELICAN');
    expect((await events(stack, control.callId)).some((e) => e.level === 'tool')).toBe(false);
  });

  it("gives an inbound number whose agent's tools hold a KB- id the knowledge base's search", async () => {
    const kbId = await indexedGuide();
    const phone = (await api().post('/v1/inbound/purchase').set('authorization', stack.org.apiKey).send({ area_code: '628' }).expect(200)).body.phone_number as string;
    await api().post(`/v1/inbound/${encodeURIComponent(phone)}`).set('authorization', stack.org.apiKey).send({ prompt: task, first_sentence: 'Lakeside Inn, Sam speaking.', tools: [kbId] }).expect(200);
    const sim = stack.simulator.placeInboundCall({ to: phone, from: uniqueNumber(), script: { utterances: ['Hi, what is the wifi password here?', 'Thanks, bye.'] } });
    await sim.done;
    const call = await waitForCompletion(stack, inboundCallId(sim.req.accountSid, sim.sid));
    expect(call.queue_status).toBe('complete');
    expect(agentLines(call)).toContain('PELICAN-4417');
    expect(sim.transcript.some((l) => l.speaker === 'agent' && l.text.includes('PELICAN-4417'))).toBe(true);
  });
});
