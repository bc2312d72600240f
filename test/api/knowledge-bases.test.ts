import request from 'supertest';
import { createKnowledgeBaseActivities } from '../../activities/knowledge-base';
import type { ChatModel } from '../../src/llm/chat-model';
import { OpenAiChatModel } from '../../src/llm/openai-chat-model';
import { searchKnowledgeBase } from '../../src/knowledge/search';
import { eventually } from '../helpers/poll';
import { startStack, type Stack } from '../helpers/stack';

const FAQ = [
  'Opening hours. The Riverside clinic opens at 8 am on weekdays and closes at 6 pm. On Saturdays it opens at 9 am and closes at noon.',
  'Parking. Patients park for free in the underground garage on Mill Street; the entrance is next to the pharmacy.',
  'Cancellations. Appointments cancelled less than 24 hours ahead cost a fee of 35 dollars, unless the patient is ill.',
].join('\n\n');

/** The knowledge base API (/vectors and /v1/vectors) against real FerretDB, Temporal and a worker that indexes. */
describe('API: knowledge bases', () => {
  let stack: Stack;
  let model: ChatModel;
  beforeAll(async () => {
    stack = await startStack();
    model = new OpenAiChatModel({ apiKey: 'offline', baseURL: stack.model.url, defaultModel: 'switchboard-offline', offline: true });
  });
  afterAll(async () => {
    await stack.stop();
  });
  const api = () => request(stack.apiUrl);
  const as = (key: string) => ({ authorization: key });
  const kb = (over: Record<string, unknown> = {}) => ({ name: 'Clinic FAQ', description: 'Opening hours, parking and cancellation policy of the clinic.', text: FAQ, ...over });
  const ready = (id: string, key = stack.org.apiKey) =>
    eventually(async () => {
      const res = await api().get(`/vectors/${id}`).set(as(key));
      return res.body.index_status === 'ready' ? res.body : null;
    });

  it('creates, indexes, lists, reads, updates and deletes a knowledge base in the seed shapes, on both paths', async () => {
    const created = await api().post('/vectors').set(as(stack.org.apiKey)).send(kb()).expect(200);
    expect(created.body).toEqual({ vector_id: expect.stringMatching(/^KB-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/) });
    const id: string = created.body.vector_id;

    const detail = await ready(id);
    expect(detail).toMatchObject({ vector_id: id, name: 'Clinic FAQ', description: kb().description, index_status: 'ready', searchable: true, index_error: null });
    expect(detail.chunk_count).toBeGreaterThan(0);
    expect(detail.indexed_chunks).toBe(detail.chunk_count);
    expect(detail).not.toHaveProperty('text');
    const withText = await api().get(`/v1/vectors/${id}?include_text=true`).set(as(stack.org.apiKey)).expect(200);
    expect(withText.body.text).toBe(FAQ);

    const list = await api().get('/v1/vectors').set(as(stack.org.apiKey)).expect(200);
    expect(list.body.vectors).toContainEqual({ vector_id: id, name: 'Clinic FAQ', description: kb().description });
    const listText = await api().get('/vectors?include_text=true').set(as(stack.org.apiKey)).expect(200);
    expect(listText.body.vectors.find((v: { vector_id: string }) => v.vector_id === id).text).toBe(FAQ);

    // The indexed passages answer a question by meaning, with their knowledge base's id.
    const found = await searchKnowledgeBase(stack.db, model, stack.org.id, id, 'Where can I park my car?');
    expect(found.passages[0]).toMatchObject({ kb_id: id, text: expect.stringContaining('underground garage') });

    const newText = 'Parking. Since March the garage is closed; patients park at the Elm Road lot, two minutes away.';
    await api().post(`/v1/vectors/${id}`).set(as(stack.org.apiKey)).send(kb({ name: 'Clinic FAQ 2', text: newText })).expect(200, { vector_id: id });
    const updated = await eventually(async () => {
      const body = await ready(id);
      return body.name === 'Clinic FAQ 2' && body.chunk_count === 1 ? body : null;
    });
    expect(updated.indexed_at >= detail.indexed_at).toBe(true);
    const after = await searchKnowledgeBase(stack.db, model, stack.org.id, id, 'Where can I park my car?');
    expect(after.version).toBe(2);
    expect(after.passages.map((p) => p.text)).toEqual([newText]);

    await api().post(`/vectors/${id}/delete`).set(as(stack.org.apiKey)).expect(200, { vector_id: id, message: 'Vector deleted' });
    await api().get(`/vectors/${id}`).set(as(stack.org.apiKey)).expect(404);
    await api().post(`/v1/vectors/${id}/delete`).set(as(stack.org.apiKey)).expect(404);
    expect(await stack.db.collections.kbChunks.countDocuments({ kb_id: id })).toBe(0);
  });

  it('refuses bad input with a 400 in Bland\'s shape and stores nothing', async () => {
    const before = await stack.db.collections.knowledgeBases.countDocuments({ org_id: stack.org.id });
    const bad: Array<[unknown, RegExp]> = [
      [{ description: 'x', text: 'y' }, /name/],
      [{ name: 'n', text: 'y' }, /description/],
      [{ name: 'n', description: 'd' }, /text/],
      [kb({ text: 42 }), /text must be a string/],
      [kb({ text: '   ' }), /text must not be empty/],
      [kb({ name: ['x'] }), /name must be a string/],
      [kb({ extra: 1 }), /extra is not a known field/],
      [kb({ text: 'é'.repeat(600_000) }), /at most 1048576 bytes/],
    ];
    for (const [body, message] of bad) {
      const res = await api().post('/vectors').set(as(stack.org.apiKey)).send(body as object).expect(400);
      expect(res.body).toMatchObject({ status: 'error', errors: expect.arrayContaining([expect.stringMatching(message)]) });
    }
    const malformed = await api().post('/v1/vectors').set(as(stack.org.apiKey)).set('content-type', 'application/json').send('{"name": ').expect(400);
    expect(malformed.body.status).toBe('error');
    await api().post('/vectors').set(as(stack.org.apiKey)).send(kb({ text: 'a '.repeat(5 * 1024 * 1024) })).expect(413);
    await api().get('/vectors?include_text=maybe').set(as(stack.org.apiKey)).expect(400);
    expect(await stack.db.collections.knowledgeBases.countDocuments({ org_id: stack.org.id })).toBe(before);
  });

  it('takes a text of 1 MiB', async () => {
    const paragraph = `${'word '.repeat(199)}end.\n\n`;
    const text = paragraph.repeat(Math.floor((1024 * 1024) / paragraph.length));
    const created = await api().post('/vectors').set(as(stack.org.apiKey)).send(kb({ text })).expect(200);
    const body = await eventually(async () => {
      const res = await api().get(`/vectors/${created.body.vector_id}`).set(as(stack.org.apiKey));
      return res.body.index_status === 'ready' ? res.body : null;
    }, 60_000);
    expect(body.chunk_count).toBeGreaterThan(1000);
    expect(await stack.db.collections.kbChunks.countDocuments({ kb_id: created.body.vector_id })).toBe(body.chunk_count);
  }, 90_000);

  it('needs a key on /vectors too, and answers another organisation\'s knowledge base with 404', async () => {
    await api().get('/vectors').expect(401);
    await api().post('/vectors').send(kb()).expect(401);
    const { body } = await api().post('/vectors').set(as(stack.org.apiKey)).send(kb()).expect(200);
    const other = await stack.newOrg();
    const res = await api().get(`/vectors/${body.vector_id}`).set(as(other.apiKey)).expect(404);
    expect(res.body).toMatchObject({ status: 'error', message: 'Vector store not found.' });
    await api().post(`/vectors/${body.vector_id}`).set(as(other.apiKey)).send(kb({ text: 'taken over' })).expect(404);
    await api().post(`/vectors/${body.vector_id}/delete`).set(as(other.apiKey)).expect(404);
    const list = await api().get('/vectors').set(as(other.apiKey)).expect(200);
    expect(list.body.vectors).toEqual([]);
    await api().get('/vectors/KB-not-an-id').set(as(stack.org.apiKey)).expect(404);
    // A call may not name it either.
    const call = await api()
      .post('/v1/calls')
      .set(as(other.apiKey))
      .send({ phone_number: '+12025550143', task: 'Answer questions.', tools: [body.vector_id] })
      .expect(400);
    expect(call.body.errors).toContain(`tools: no knowledge base with id ${body.vector_id}.`);
    expect((await ready(body.vector_id)).text).toBeUndefined();
  });

  it('keeps searching the indexed version while a new one is embedded, and after it fails', async () => {
    const { body } = await api().post('/vectors').set(as(stack.org.apiKey)).send(kb()).expect(200);
    const id: string = body.vector_id;
    await ready(id);
    const real = model;
    let failing = false;
    // The real client, but its embeddings fail while `failing` is set.
    const flaky: ChatModel = Object.assign(Object.create(real) as ChatModel, {
      embed: (texts: string[]) => (failing ? Promise.reject(new Error('embeddings unavailable')) : real.embed(texts)),
    });
    const acts = createKnowledgeBaseActivities({ db: stack.db, chat: flaky });
    // Version 2 written as the API writes it, its indexing driven by hand.
    const v2 = `${'Filler paragraph about nothing in particular. '.repeat(20)}\n\n`.repeat(70) + 'Parking. The garage moved to Elm Road.';
    await stack.db.collections.knowledgeBases.updateOne({ _id: id }, { $set: { text: v2, status: 'indexing' }, $inc: { version: 1 } });
    const ref = { orgId: stack.org.id, kbId: id, version: 2 };
    const { chunks } = await acts.prepareKnowledgeBaseIndex(ref);
    expect(chunks).toBeGreaterThan(64);
    await acts.embedKnowledgeBaseChunks({ ...ref, from: 0, count: 64 });
    const during = await searchKnowledgeBase(stack.db, real, stack.org.id, id, 'Where can I park?');
    expect(during.version).toBe(1);
    expect(during.passages[0]!.text).toContain('underground garage');

    failing = true;
    await expect(acts.embedKnowledgeBaseChunks({ ...ref, from: 64, count: 64 })).rejects.toThrow('embeddings unavailable');
    await acts.failKnowledgeBaseIndex({ ...ref, error: 'embeddings unavailable' });
    const failed = await api().get(`/vectors/${id}`).set(as(stack.org.apiKey)).expect(200);
    expect(failed.body).toMatchObject({ index_status: 'failed', searchable: true, index_error: 'embeddings unavailable' });
    expect((await searchKnowledgeBase(stack.db, real, stack.org.id, id, 'Where can I park?')).passages[0]!.text).toContain('underground garage');
    expect(await stack.db.collections.kbChunks.countDocuments({ kb_id: id, version: 2 })).toBe(0);

    failing = false;
    await acts.prepareKnowledgeBaseIndex(ref);
    for (let from = 0; from < chunks; from += 64) await acts.embedKnowledgeBaseChunks({ ...ref, from, count: 64 });
    await acts.finishKnowledgeBaseIndex(ref);
    const now = await searchKnowledgeBase(stack.db, real, stack.org.id, id, 'Where can I park?');
    expect(now.version).toBe(2);
    expect(now.passages[0]!.text).toContain('Elm Road');
  });

  it('retries a failed embeddings request and indexes completely', async () => {
    stack.model.faults.embeddings = 2;
    const { body } = await api().post('/vectors').set(as(stack.org.apiKey)).send(kb()).expect(200);
    const detail = await ready(body.vector_id);
    expect(detail).toMatchObject({ searchable: true, index_error: null });
    expect(stack.model.faults.embeddings).toBe(0);
    const history = await stack.temporal.client.workflow.getHandle(`kb-index-${body.vector_id}`).fetchHistory();
    const started = history.events!.filter((e) => e.activityTaskStartedEventAttributes);
    // The embeddings batch succeeded on its third attempt (the failed ones show as its attempt count).
    expect(started.map((e) => e.activityTaskStartedEventAttributes!.attempt)).toContain(3);
    const found = await searchKnowledgeBase(stack.db, model, stack.org.id, body.vector_id, 'What does a late cancellation cost?');
    expect(found.passages[0]!.text).toContain('35 dollars');
  });

  it('creates a knowledge base from a plain-text or Markdown file, and refuses a bad upload', async () => {
    const markdown = '# Clinic\n\n## Parking\n\nFree in the Mill Street garage. {{not_a_variable}}\n';
    const up = await api()
      .post('/vectors/upload?name=Clinic%20notes&description=From%20a%20file')
      .set(as(stack.org.apiKey))
      .set('content-type', 'text/markdown; charset=utf-8')
      .send(markdown)
      .expect(200);
    const detail = await api().get(`/vectors/${up.body.vector_id}?include_text=true`).set(as(stack.org.apiKey)).expect(200);
    expect(detail.body).toMatchObject({ name: 'Clinic notes', description: 'From a file', text: markdown });
    await api().post('/v1/vectors/upload?name=Plain').set(as(stack.org.apiKey)).set('content-type', 'text/plain').send('Plain facts.').expect(200);

    const before = await stack.db.collections.knowledgeBases.countDocuments({ org_id: stack.org.id });
    const noName = await api().post('/vectors/upload').set(as(stack.org.apiKey)).set('content-type', 'text/plain').send('x').expect(400);
    expect(noName.body).toMatchObject({ status: 'error', errors: [expect.stringMatching(/name/)] });
    await api().post('/vectors/upload?name=x').set(as(stack.org.apiKey)).set('content-type', 'text/plain').send('  \n').expect(400);
    const json = await api().post('/vectors/upload?name=x').set(as(stack.org.apiKey)).send({ text: 'x' }).expect(400);
    expect(json.body.errors).toEqual(['The body must be text (text/plain or text/markdown).']);
    const binary = await api().post('/vectors/upload?name=x').set(as(stack.org.apiKey)).set('content-type', 'application/octet-stream').send(Buffer.from('x')).expect(400);
    expect(binary.body.errors).toEqual(['Send the file as the body, with Content-Type text/plain or text/markdown.']);
    await api().post('/vectors/upload?name=x').set(as(stack.org.apiKey)).set('content-type', 'text/plain').send('é'.repeat(600_000)).expect(400);
    const nul = await api().post('/vectors/upload?name=x').set(as(stack.org.apiKey)).set('content-type', 'text/plain').send('a\u0000b').expect(400);
    expect(nul.body.errors).toEqual(['The file contains a NUL character; send a text file.']);
    await api().post('/vectors/upload?name=x').set(as(stack.org.apiKey)).set('content-type', 'text/plain').send('a'.repeat(9 * 1024 * 1024)).expect(413);
    await api().post('/vectors/upload?name=x').set('content-type', 'text/plain').send('x').expect(401);
    expect(await stack.db.collections.knowledgeBases.countDocuments({ org_id: stack.org.id })).toBe(before);
  });
});
