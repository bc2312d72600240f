import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionTool } from 'openai/resources/chat/completions';
import { startOfflineModel, type OfflineModelHandle } from '../../src/simulator/offline-model/server';
import { FAREWELL } from '../../src/simulator/offline-model/heuristics';

// Driven through the real SDK on purpose: the product only ever talks to the offline model this
// way, so wire-format drift must fail here rather than in a call.
let model: OfflineModelHandle;
let client: OpenAI;

beforeAll(async () => {
  model = await startOfflineModel({ port: 0 });
  client = new OpenAI({ baseURL: model.url, apiKey: 'offline', maxRetries: 0 });
});
afterAll(() => model.close());
afterEach(() => model.scripts.clear());

const SYSTEM = 'You are Ann, a receptionist at Acme Dental. Help callers book appointments. Ask the caller for their preferred date.';

const endCall: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'end_call',
    description: 'End the phone call',
    parameters: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'], additionalProperties: false },
  },
};
const lookupOrder: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'lookup_order_status',
    description: 'Look up the delivery status of an order',
    parameters: { type: 'object', properties: { order_number: { type: 'string' } }, required: ['order_number'] },
  },
};

async function say(messages: ChatCompletionCreateParamsNonStreaming['messages'], extra: Partial<ChatCompletionCreateParamsNonStreaming> = {}) {
  const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, ...extra });
  return r.choices[0]!;
}

describe('chat completions: dialogue', () => {
  it('is deterministic, labelled and echoes the model', async () => {
    const messages = [{ role: 'system' as const, content: SYSTEM }, { role: 'user' as const, content: 'I need a cleaning next week' }];
    const { data: a, response } = await client.chat.completions.create({ model: 'any-model', messages }).withResponse();
    const b = await client.chat.completions.create({ model: 'any-model', messages });
    expect(a.choices[0]!.message.content).toBe(b.choices[0]!.message.content);
    expect(a.choices[0]!.message.content).toBe('You said "I need a cleaning next week". Help callers book appointments.');
    expect(a.model).toBe('any-model');
    expect(a.system_fingerprint).toBe('switchboard-offline');
    expect(a.choices[0]!.finish_reason).toBe('stop');
    expect(a.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-switchboard-offline')).toBe('1');
  });

  it('greets on the opening turn using the prompt markers', async () => {
    expect((await say([{ role: 'system', content: SYSTEM }])).message.content).toBe('Hello, this is Ann. How can I help you today?');
    expect((await say([{ role: 'system', content: `${SYSTEM}\nOpening: Hi, Ann from Acme here!` }])).message.content).toBe('Hi, Ann from Acme here!');
  });

  it('honours Say exactly: and Node prompt:', async () => {
    const exact = await say([{ role: 'system', content: 'Say exactly: "Thanks for calling Acme."' }, { role: 'user', content: 'hello?' }]);
    expect(exact.message.content).toBe('Thanks for calling Acme.');
    const node = await say([{ role: 'system', content: `${SYSTEM}\nNode prompt: Ask the caller for their email address. Be brief.` }, { role: 'user', content: 'ok' }]);
    expect(node.message.content).toBe('Could you please tell me your email address?');
  });

  it('streams the same text as the non-streaming reply', async () => {
    const messages = [{ role: 'system' as const, content: SYSTEM }, { role: 'user' as const, content: 'Do you have anything on Friday?' }];
    const whole = (await say(messages)).message.content;
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    let text = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      expect(chunk.system_fingerprint).toBe('switchboard-offline');
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe(whole);
    expect(finish).toBe('stop');
  });

  it('rejects n > 1 with a 400', async () => {
    await expect(say([{ role: 'user', content: 'hi' }], { n: 2 })).rejects.toMatchObject({ status: 400, param: 'n' });
  });
});

describe('chat completions: structured output', () => {
  const schema = {
    type: 'object',
    properties: {
      name: { type: 'string' },
      email: { type: ['string', 'null'] },
      phone: { anyOf: [{ type: 'string' }, { type: 'null' }] },
      party_size: { type: 'integer' },
      confirmed: { type: 'boolean' },
      next: { type: 'string', enum: ['book appointment', 'cancel appointment', 'billing question'] },
    },
    required: ['name', 'email', 'phone', 'party_size', 'confirmed', 'next'],
    additionalProperties: false,
  };

  it('returns JSON that conforms to the schema, filled from the user message', async () => {
    const choice = await say(
      [{ role: 'user', content: 'Yes, my name is Dana Lee, email dana@example.com. Cancel my appointment for 3 people please.' }],
      { response_format: { type: 'json_schema', json_schema: { name: 'extract', schema, strict: true } } },
    );
    const value = JSON.parse(choice.message.content!);
    expect(value).toEqual({ name: 'Dana Lee', email: 'dana@example.com', phone: null, party_size: 3, confirmed: true, next: 'cancel appointment' });
  });

  it('uses neutral values when there is no evidence', async () => {
    const choice = await say([{ role: 'user', content: 'hmm' }], {
      response_format: { type: 'json_schema', json_schema: { name: 'extract', schema, strict: true } },
    });
    expect(JSON.parse(choice.message.content!)).toEqual({ name: '', email: null, phone: null, party_size: 0, confirmed: false, next: 'book appointment' });
  });
});

describe('chat completions: tools', () => {
  it('calls end_call when the caller says goodbye', async () => {
    const choice = await say([{ role: 'system', content: SYSTEM }, { role: 'user', content: "That's all, goodbye!" }], { tools: [lookupOrder, endCall] });
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls![0]!;
    expect(call.id).toMatch(/^call_\d+$/);
    expect(call.type === 'function' && call.function.name).toBe('end_call');
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ message: FAREWELL });
  });

  it('calls a tool with strong word overlap and answers from its result', async () => {
    const user = { role: 'user' as const, content: 'What is the status of my order 58213?' };
    const choice = await say([user], { tools: [lookupOrder, endCall] });
    const call = choice.message.tool_calls![0]!;
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('lookup_order_status');
    expect(JSON.parse(call.function.arguments)).toEqual({ order_number: '58213' });

    const after = await say(
      [user, { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: 'Shipped on Monday' }],
      { tools: [lookupOrder, endCall] },
    );
    expect(after.message.content).toBe('Here is what I found: Shipped on Monday');
  });

  it("respects tool_choice 'none' and a named tool_choice", async () => {
    const bye = [{ role: 'user' as const, content: 'bye' }];
    expect((await say(bye, { tools: [endCall], tool_choice: 'none' })).message.tool_calls).toBeUndefined();
    const forced = await say([{ role: 'user', content: 'hello' }], { tools: [lookupOrder, endCall], tool_choice: { type: 'function', function: { name: 'end_call' } } });
    expect(forced.message.tool_calls![0]!.type === 'function' && forced.message.tool_calls![0]!.function.name).toBe('end_call');
  });

  it('streams tool calls in a shape the SDK stream helper accumulates', async () => {
    const stream = client.chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'goodbye' }], tools: [endCall] });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function.name).toBe('end_call');
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
  });
});

describe('scripted replies', () => {
  it('returns scripted replies FIFO, then falls back to heuristics', async () => {
    model.scripts.add({ match: 'pizza', replies: [{ content: 'One pizza coming up.' }, { json: { size: 'large' } }] });
    const ask = async () => (await say([{ role: 'user', content: 'I want a pizza' }])).message.content;
    expect(await ask()).toBe('One pizza coming up.');
    expect(await ask()).toBe('{"size":"large"}');
    expect(await ask()).toBe('You said "I want a pizza". How else can I help you?');
  });

  it('accepts scripts over HTTP, including tool calls', async () => {
    const origin = model.url.replace(/\/v1$/, '');
    const res = await fetch(`${origin}/_offline/scripts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ match: 'transfer me', replies: [{ tool_call: { name: 'transfer_call', arguments: { department: 'billing' } } }] }),
    });
    expect(res.status).toBe(201);
    const choice = await say([{ role: 'user', content: 'Please transfer me' }]);
    const call = choice.message.tool_calls![0]!;
    expect(call.type === 'function' && [call.function.name, JSON.parse(call.function.arguments)]).toEqual(['transfer_call', { department: 'billing' }]);

    await fetch(`${origin}/_offline/scripts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ match: 'x', replies: [{ content: 'y' }] }) });
    expect((await fetch(`${origin}/_offline/scripts`, { method: 'DELETE' })).ok).toBe(true);
    expect(model.scripts.pending()).toBe(0);
  });
});

describe('embeddings', () => {
  it('returns deterministic, normalised 256-dimension vectors for string and string[] input', async () => {
    const one = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'book a dental cleaning' });
    const many = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['book a dental cleaning', 'cancel my order'], encoding_format: 'float' });
    const [a, b] = many.data.map((d) => d.embedding);
    expect(one.data[0]!.embedding).toHaveLength(256);
    expect(many.data).toHaveLength(2);
    one.data[0]!.embedding.forEach((x, i) => expect(x).toBeCloseTo(a![i]!, 6));
    expect(Math.hypot(...a!)).toBeCloseTo(1, 6);
    const dot = a!.reduce((s, x, i) => s + x * b![i]!, 0);
    expect(dot).toBeLessThan(0.5);
    expect(many.model).toBe('text-embedding-3-small');
  });
});

describe('protocol', () => {
  it('answers malformed JSON with a 400 in the OpenAI error shape and no stack trace', async () => {
    const res = await fetch(`${model.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model": ' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-switchboard-offline')).toBe('1');
    const text = await res.text();
    expect(text).not.toMatch(/\n\s+at |SyntaxError|node_modules/);
    expect(JSON.parse(text)).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: null } });
  });

  it('lists models', async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toContain('switchboard-offline');
  });
});
