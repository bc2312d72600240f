import request from 'supertest';
import { effectiveAgent } from '../../src/agents/agent-fields';
import { newKnowledgeBaseId } from '../../src/knowledge/types';
import { startStack, type Stack } from '../helpers/stack';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const inlineTool = () => ({
  name: 'BookAppointment',
  description: 'Books an appointment for the customer',
  url: 'https://api.example.com/book',
  method: 'POST',
  body: { date: '{{input.date}}' },
  input_schema: { type: 'object', properties: { date: 'YYYY-MM-DD' } },
});
const memberLookup = () => ({ url: 'https://api.example.com/member', response_data: [{ name: 'member_id', data: '$.id' }] });

/** The Agents API (seed 003 "Web Agents") against real FerretDB and Temporal, without a worker. */
describe('API: web agents', () => {
  let stack: Stack;
  let other: { id: string; apiKey: string };
  beforeAll(async () => {
    stack = await startStack({ worker: false });
    other = await stack.newOrg();
  });
  afterAll(async () => {
    await stack.stop();
  });
  const api = () => request(stack.apiUrl);
  const as = (key: string) => ({
    get: (p: string) => api().get(p).set('authorization', key),
    post: (p: string, body?: unknown) => api().post(p).set('authorization', key).send(body as object),
  });
  const me = () => as(stack.org.apiKey);
  const agents = () => stack.db.collections.agents;

  async function createAgent(body: Record<string, unknown> = { prompt: 'Greet the caller.' }, key = stack.org.apiKey): Promise<string> {
    const res = await as(key).post('/v1/agents', body);
    expect(res.status).toBe(200);
    return res.body.agent.agent_id;
  }
  async function createTool(key = stack.org.apiKey): Promise<string> {
    const res = await as(key).post('/v1/tools', inlineTool()).expect(200);
    return res.body.tool_id;
  }
  async function createKnowledgeBase(orgId = stack.org.id): Promise<string> {
    const now = new Date();
    const _id = newKnowledgeBaseId();
    await stack.db.collections.knowledgeBases.insertOne({
      _id, org_id: orgId, name: 'FAQ', description: 'Opening hours', text: 'Open 9 to 5.', version: 1, current_version: null, previous_version: null,
      status: 'indexing', chunk_count: 0, indexed_chunks: 0, index_error: null, created_at: now, updated_at: now, indexed_at: null,
    });
    return _id;
  }
  async function createPathway(key = stack.org.apiKey): Promise<string> {
    const created = await as(key).post('/v1/pathway/create', { name: 'Front desk', description: 'd' }).expect(200);
    const id: string = created.body.pathway_id;
    await as(key).post(`/v1/pathway/${id}`, { nodes: [{ id: 'start', type: 'Default', data: { name: 'Start', text: 'Hi', isStart: true } }], edges: [] }).expect(200);
    return id;
  }

  it('creates an agent with every seed field and answers in the seed\'s shape; lists and reads it', async () => {
    const toolId = await createTool();
    const kbId = await createKnowledgeBase();
    const body = {
      prompt: 'You are the front desk of a dental clinic.',
      voice: 'maya',
      analysis_schema: { email_address: 'email', wants_to_book_appointment: 'boolean' },
      metadata: { campaign: 'spring' },
      language: 'ESP',
      model: 'turbo',
      first_sentence: 'Hola, ¿en qué puedo ayudarle?',
      tools: [{ ...inlineTool(), name: 'CheckInsurance' }, toolId, kbId],
      dynamic_data: [memberLookup()],
      interruption_threshold: 150,
      keywords: ['Reece:3', 'Invisalign'],
      max_duration: 12,
      webhook: 'https://hooks.example.com/agent-done',
      max_concurrent_sessions: 3,
    };
    const res = await me().post('/v1/agents', body);
    expect(res.body.errors).toBeUndefined();
    expect(res.status).toBe(200);
    const { tools, ...rest } = body;
    expect(res.body).toEqual({
      status: 'success',
      call_id: res.body.agent.agent_id,
      agent: {
        agent_id: expect.stringMatching(UUID),
        ...rest,
        tools,
        pathway_id: null,
        voice_settings: null,
        temperature: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
    });
    const id = res.body.agent.agent_id;
    const list = await me().get('/v1/agents').expect(200);
    expect(list.body.agents).toContainEqual(res.body.agent);
    // Bland's Python client creates at /v1/agents/agents; the same agent comes back.
    const viaClientPath = await me().post('/v1/agents/agents', { ...body, tools }).expect(200);
    expect(viaClientPath.body).toMatchObject({ status: 'success', call_id: viaClientPath.body.agent.agent_id, agent: { ...rest, tools } });
    expect(viaClientPath.body.agent.agent_id).not.toBe(id);
    await me().post('/v1/agents/agents', { voice: 'maya' }).expect(400);
    const one = await me().get(`/v1/agents/${id}`).expect(200);
    expect(one.body).toEqual({ agent: res.body.agent });
    expect(await agents().findOne({ _id: id })).toMatchObject({ org_id: stack.org.id, tools, dynamic_data: body.dynamic_data, max_duration: 12 });
  });

  it('fills the seed\'s defaults, takes dynamic_data as one object and max_duration as a numeric string', async () => {
    const res = await me().post('/v1/agents', { prompt: 'Be brief.', dynamic_data: memberLookup(), max_duration: '7.5' }).expect(200);
    expect(res.body.agent).toMatchObject({
      language: 'ENG', model: 'enhanced', max_duration: 7.5, keywords: [], max_concurrent_sessions: 10, voice: null, webhook: null,
      interruption_threshold: null, first_sentence: null, tools: null, pathway_id: null, dynamic_data: [memberLookup()],
    });
    const plain = await me().post('/v1/agents', { prompt: 'Be brief.', first_sentence: '', webhook: '', metadata: null }).expect(200);
    expect(plain.body.agent).toMatchObject({ max_duration: 30, first_sentence: null, webhook: null, metadata: null, dynamic_data: null });
  });

  const tooLong = 'x'.repeat(201);
  const BAD: Array<[string, Record<string, unknown>, number, RegExp]> = [
    ['no prompt', {}, 400, /Missing required parameter: prompt/],
    ['blank prompt', { prompt: '   ' }, 400, /Missing required parameter: prompt/],
    ['prompt not a string', { prompt: 5 }, 400, /prompt must be a string/],
    ['unknown voice', { voice: 'nobody-at-all' }, 400, /voice: "nobody-at-all" is not a known voice/],
    ['voice not a string', { voice: 7 }, 400, /voice must be a string/],
    ['analysis_schema not an object', { analysis_schema: ['email'] }, 400, /analysis_schema must be an object/],
    ['metadata not an object', { metadata: 'x' }, 400, /metadata must be an object/],
    ['metadata with a $ key', { metadata: { $where: 1 } }, 400, /metadata has a key that is not allowed/],
    ['unknown pathway', { pathway_id: 'no-such-pathway' }, 404, /Pathway not found/],
    ['pathway_id not a string', { pathway_id: 5 }, 400, /pathway_id must be a string/],
    ['unknown language', { language: 'EN' }, 400, /language must be one of: ENG, ESP, FRE, POL, GER, ITA, PBR, POR/],
    ['lower-case language', { language: 'eng' }, 400, /language must be one of/],
    ['unknown model', { model: 'fast' }, 400, /model must be one of: base, enhanced, turbo/],
    ['first_sentence over 200 characters', { first_sentence: tooLong }, 400, /first_sentence must be at most 200 characters/],
    ['tools not an array', { tools: 'TL-x' }, 400, /tools must be an array/],
    ['tool neither id nor object', { tools: [5] }, 400, /tools\[0\] must be a string/],
    ['unknown TL- id', { tools: ['TL-00000000-0000-0000-0000-000000000000'] }, 400, /tools: no tool with id TL-00000000/],
    ['unknown KB- id', { tools: ['KB-00000000-0000-0000-0000-000000000000'] }, 400, /tools: no knowledge base with id KB-00000000/],
    ['string that is no id', { tools: ['lookup'] }, 400, /"lookup" is not a tool id/],
    ['invalid inline tool', { tools: [{ ...inlineTool(), url: 'ftp://x.example.com' }] }, 400, /tools\[0\]/],
    ['dynamic_data not a list', { dynamic_data: 5 }, 400, /dynamic_data must be an array/],
    ['invalid dynamic_data', { dynamic_data: [{ url: 'ftp://x.example.com' }] }, 400, /dynamic_data\[0\]\.url/],
    ['interruption_threshold below 50', { interruption_threshold: 49 }, 400, /interruption_threshold must be between 50 and 200/],
    ['interruption_threshold above 200', { interruption_threshold: 201 }, 400, /interruption_threshold must be between 50 and 200/],
    ['interruption_threshold not a number', { interruption_threshold: '100' }, 400, /interruption_threshold must be a number/],
    ['keywords not an array', { keywords: 'Reece:3' }, 400, /keywords must be an array/],
    ['keyword with a zero boost', { keywords: ['Reece:0'] }, 400, /keywords\[0\] must be "word" or "word:boost"/],
    ['keyword with a word boost', { keywords: ['ok', 'Reece:high'] }, 400, /keywords\[1\] must be "word" or "word:boost"/],
    ['max_duration zero', { max_duration: 0 }, 400, /max_duration must be a number of minutes/],
    ['max_duration not numeric', { max_duration: 'long' }, 400, /max_duration must be a number of minutes/],
    ['max_duration as an object', { max_duration: { minutes: 5 } }, 400, /max_duration must be a number of minutes/],
    ['webhook not a URL', { webhook: 'not a url' }, 400, /webhook must be a valid URL/],
    ['webhook not http(s)', { webhook: 'ftp://hooks.example.com/x' }, 400, /webhook must be an http\(s\) URL/],
    ['webhook to a private address', { webhook: 'http://127.0.0.1:8233/api/v1/namespaces' }, 400, /webhook/],
    ['webhook to the metadata service', { webhook: 'https://169.254.169.254/latest' }, 400, /webhook/],
    ['max_concurrent_sessions 0', { max_concurrent_sessions: 0 }, 400, /max_concurrent_sessions must be between 1 and 100/],
    ['max_concurrent_sessions 101', { max_concurrent_sessions: 101 }, 400, /max_concurrent_sessions must be between 1 and 100/],
    ['max_concurrent_sessions not whole', { max_concurrent_sessions: 1.5 }, 400, /max_concurrent_sessions must be an integer/],
    ['unknown field', { promt: 'typo' }, 400, /promt is not a known field/],
  ];

  it.each(BAD)('refuses %s on create with Bland\'s error shape, storing nothing', async (_name, fields, status, message) => {
    const before = await agents().countDocuments({ org_id: stack.org.id });
    const body = 'prompt' in fields || Object.keys(fields).length === 0 ? fields : { prompt: 'p', ...fields };
    const res = await me().post('/v1/agents', body);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ status: 'error', message: expect.any(String), errors: expect.any(Array) });
    expect([res.body.message, ...res.body.errors].join('\n')).toMatch(message);
    expect(await agents().countDocuments({ org_id: stack.org.id })).toBe(before);
  });

  it.each(BAD.filter(([name]) => !/prompt|unknown field/.test(name)))('refuses %s on update, leaving the agent as it was', async (_name, fields, status, message) => {
    const id = await createAgent();
    const before = await agents().findOne({ _id: id });
    const res = await me().post(`/v1/agents/${id}`, fields);
    expect(res.status).toBe(status);
    expect(res.body.status).toBe('error');
    expect([res.body.message, ...res.body.errors].join('\n')).toMatch(message);
    expect(await agents().findOne({ _id: id })).toEqual(before);
  });

  it('refuses bodies that are not a JSON object', async () => {
    for (const send of [() => me().post('/v1/agents', ['prompt']), () => api().post('/v1/agents').set('authorization', stack.org.apiKey).set('content-type', 'application/json').send('{"prompt":')]) {
      const res = await send();
      expect(res.status).toBe(400);
      expect(res.body.status).toBe('error');
    }
    await api().post('/v1/agents').send({ prompt: 'p' }).expect(401);
    const id = await createAgent();
    const res = await me().post(`/v1/agents/${id}`, ['prompt']).expect(400);
    expect(res.body).toEqual({ status: 'error', message: expect.any(String), errors: ['Request body must be an object.'] });
  });

  it("refuses another organisation's TL- and KB- ids as unknown", async () => {
    const theirTool = await createTool(other.apiKey);
    const theirKb = await createKnowledgeBase(other.id);
    const res = await me().post('/v1/agents', { prompt: 'p', tools: [theirTool, theirKb] }).expect(400);
    expect(res.body.errors).toEqual([`tools: no knowledge base with id ${theirKb}.`, `tools: no tool with id ${theirTool}.`]);
  });

  it('updates the named fields in the seed\'s shape; null and "" clear where the seed says so', async () => {
    const id = await createAgent({
      prompt: 'p', voice: 'maya', first_sentence: 'Hello!', webhook: 'https://hooks.example.com/a', dynamic_data: [memberLookup()], max_duration: 5, keywords: ['Reece:3'],
    });
    const res = await me().post(`/v1/agents/${id}`, { model: 'base', first_sentence: '', webhook: '', dynamic_data: '' }).expect(200);
    expect(res.body).toEqual({
      status: 'success',
      message: `Successfully updated agent ${id}.`,
      updates: { model: 'base', first_sentence: null, webhook: null, dynamic_data: null },
      failed_updates: {},
    });
    const cleared = await me().post(`/v1/agents/${id}`, { voice: null, max_duration: null, keywords: null, language: null, metadata: { a: 1 } }).expect(200);
    expect(cleared.body.updates).toEqual({ voice: null, max_duration: 30, keywords: [], language: 'ENG', metadata: { a: 1 } });
    const { body } = await me().get(`/v1/agents/${id}`).expect(200);
    expect(body.agent).toMatchObject({ prompt: 'p', model: 'base', first_sentence: null, webhook: null, dynamic_data: null, voice: null, max_duration: 30, keywords: [], metadata: { a: 1 } });
    expect(body.agent.updated_at > body.agent.created_at).toBe(true);
    // An empty update changes nothing.
    await me().post(`/v1/agents/${id}`, {}).expect(200);
    // Our per-agent session limit is a setting like the others.
    const limit = await me().post(`/v1/agents/${id}`, { max_concurrent_sessions: 50 }).expect(200);
    expect(limit.body.updates).toEqual({ max_concurrent_sessions: 50 });
    // A field this API does not know is not refused on update: failed_updates names it, and it is not stored.
    const unknown = await me().post(`/v1/agents/${id}`, { temperature: 0.4, voice_settings: {}, model: 'turbo' }).expect(200);
    expect(unknown.body.updates).toEqual({ model: 'turbo' });
    expect(unknown.body.failed_updates).toEqual({ temperature: 'Not a setting of web agents; not stored.', voice_settings: 'Not a setting of web agents; not stored.' });
    expect(await agents().findOne({ _id: id })).not.toHaveProperty('temperature');
    // The agent keeps something to say: clearing the prompt without a pathway is refused.
    const noPrompt = await me().post(`/v1/agents/${id}`, { prompt: null }).expect(400);
    expect(noPrompt.body.errors[0]).toMatch(/needs a prompt or a pathway_id/);
    expect((await agents().findOne({ _id: id }))?.prompt).toBe('p');
  });

  it('lets pathway_id override prompt, first_sentence, model, dynamic_data and tools, and clearing it brings them back', async () => {
    const pathwayId = await createPathway();
    const byPathway = await me().post('/v1/agents', { pathway_id: pathwayId }).expect(200);
    expect(byPathway.body.agent).toMatchObject({ pathway_id: pathwayId, prompt: null });
    expect(byPathway.body.warnings).toBeUndefined();

    const res = await me().post('/v1/agents', { prompt: 'Sell.', pathway_id: pathwayId, model: 'turbo', first_sentence: 'Hi', tools: [inlineTool()], language: 'GER' }).expect(200);
    expect(res.body.warnings).toEqual(['prompt, first_sentence, model, tools: stored, but unused while pathway_id is set (the pathway overrides them).']);
    const id = res.body.agent.agent_id;
    const stored = (await agents().findOne({ _id: id }))!;
    expect(effectiveAgent(stored)).toMatchObject({ pathway_id: pathwayId, prompt: null, first_sentence: null, model: 'enhanced', tools: null, dynamic_data: null, language: 'GER' });

    const cleared = await me().post(`/v1/agents/${id}`, { pathway_id: '' }).expect(200);
    expect(cleared.body.updates).toEqual({ pathway_id: null });
    expect(effectiveAgent((await agents().findOne({ _id: id }))!)).toMatchObject({ pathway_id: null, prompt: 'Sell.', model: 'turbo', first_sentence: 'Hi' });

    // An agent run by its pathway alone cannot lose it.
    const lone = byPathway.body.agent.agent_id;
    await me().post(`/v1/agents/${lone}`, { pathway_id: null }).expect(400);
    await me().post(`/v1/agents/${lone}`, { pathway_id: null, prompt: 'Now a prompt.' }).expect(200);
    // Another organisation's pathway is unknown.
    const theirs = await createPathway(other.apiKey);
    await me().post(`/v1/agents/${lone}`, { pathway_id: theirs }).expect(404);
  });

  it("answers 404 for another organisation's agent on every route, and leaves it alone", async () => {
    const theirs = await createAgent({ prompt: 'Theirs.' }, other.apiKey);
    const before = await agents().findOne({ _id: theirs });
    await me().get(`/v1/agents/${theirs}`).expect(404);
    const upd = await me().post(`/v1/agents/${theirs}`, { prompt: 'Mine now.' }).expect(404);
    expect(upd.body).toEqual({ status: 'error', message: 'Agent not found.', errors: ['Agent not found.'] });
    await me().post(`/v1/agents/${theirs}/delete`).expect(404);
    await me().post(`/v1/agents/${theirs}/authorize`).expect(404);
    expect((await me().get('/v1/agents').expect(200)).body.agents.map((a: { agent_id: string }) => a.agent_id)).not.toContain(theirs);
    expect(await agents().findOne({ _id: theirs })).toEqual(before);
    expect(await stack.db.collections.agentSessionTokens.countDocuments({ agent_id: theirs })).toBe(0);
    await as(other.apiKey).get(`/v1/agents/${theirs}`).expect(200);
  });

  it('answers 404 for an unknown agent id', async () => {
    for (const path of ['/v1/agents/nope', '/v1/agents/00000000-0000-0000-0000-000000000000']) {
      await me().get(path).expect(404);
      await me().post(path, { prompt: 'x' }).expect(404);
      await me().post(`${path}/delete`).expect(404);
      await me().post(`${path}/authorize`).expect(404);
    }
    await me().get(`/v1/agents/${'a'.repeat(201)}`).expect(400);
  });
});
