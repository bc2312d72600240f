import request from 'supertest';
import { batchWorkflowId } from '../../src/workflow-api/batch';
import { SA } from '../../src/workflow-api/search-attributes';
import { startStack, type Stack } from '../helpers/stack';

/** POST /v1/batches refuses bad input whole, names each bad row, and creates nothing when it refuses. */
describe('batch input', () => {
  let stack: Stack;
  const started: string[] = [];
  beforeAll(async () => {
    // No worker: these tests are about the edge. A small batch body limit makes 413 cheap to reach.
    stack = await startStack({ worker: false, env: { BATCH_BODY_LIMIT_BYTES: String(8 * 1_048_576) } });
  });
  afterAll(async () => {
    for (const id of started) await stack.temporal.client.workflow.getHandle(batchWorkflowId(id)).terminate('test over').catch(() => undefined);
    await stack.stop();
  });

  const post = (body: unknown, path = '/v1/batches') => request(stack.apiUrl).post(path).set('authorization', stack.org.apiKey).send(body as object);
  const get = (path: string) => request(stack.apiUrl).get(path).set('authorization', stack.org.apiKey);
  const nothingCreated = async () => {
    expect(await stack.db.collections.batches.countDocuments({ org_id: stack.org.id })).toBe(0);
    expect(await stack.db.collections.batchRows.countDocuments({ org_id: stack.org.id })).toBe(0);
  };

  it('refuses missing and empty call_data, and a missing base_prompt', async () => {
    expect((await post({ base_prompt: 'x' }).expect(400)).body.errors).toContain('Missing required parameter: call_data.');
    expect((await post({ base_prompt: 'x', call_data: [] }).expect(400)).body.errors).toContain('call_data must have at least one row.');
    expect((await post({ base_prompt: 'x', call_data: {} }).expect(400)).body.errors).toContain('call_data must be an array.');
    expect((await post({ call_data: [{ phone_number: '+14155550100' }] }).expect(400)).body.errors).toContain('Missing required parameter: base_prompt.');
    await nothingCreated();
  });

  it('names every bad row by index and reason and refuses the batch whole', async () => {
    const res = await post({
      base_prompt: 'Hi {{name}}',
      call_data: [{ phone_number: '+14155550100' }, { name: 'no number' }, { phone_number: '12223334444' }, 'text', { phone_number: '+14155550101', 'a.b': 1 }],
    }).expect(400);
    expect(res.body).toMatchObject({ status: 'error', message: 'Invalid parameters' });
    const errors = res.body.errors as string[];
    expect(errors).toContain('call_data[1]: phone_number is missing.');
    expect(errors.find((e) => e.startsWith('call_data[2]: phone_number:'))).toBeDefined();
    expect(errors).toContain('call_data[3]: must be an object.');
    expect(errors.find((e) => e.startsWith('call_data[4]: has a key that is not allowed'))).toBeDefined();
    expect(errors.some((e) => e.startsWith('call_data[0]'))).toBe(false);
    expect(errors).toContain('4 of 5 rows are invalid; fix them, or send skip_invalid_rows: true to dial only the valid ones.');
    await nothingCreated();
  });

  it('refuses wrong types of batch and call parameters', async () => {
    const row = [{ phone_number: '+14155550100' }];
    const errors = (await post({ base_prompt: 5, call_data: row, max_concurrency: 0, test_mode: 'yes', batch_webhook: 'ftp://x', max_duration: 'long', retry: { tries: 2 } }).expect(400)).body.errors as string[];
    expect(errors).toEqual(
      expect.arrayContaining([
        'base_prompt must be a string.',
        'max_concurrency must be between 1 and 1000.',
        'test_mode must be a boolean.',
        'batch_webhook must be an http(s) URL.',
        'max_duration must be a number of minutes between 0.1 and 1440.',
      ]),
    );
    expect(errors.find((e) => e.startsWith('retry.tries is not a known field'))).toBeDefined();
    await nothingCreated();
  });

  it('refuses malformed JSON and a body above BATCH_BODY_LIMIT_BYTES, while /v1/calls keeps its own limit', async () => {
    const bad = await request(stack.apiUrl).post('/v1/batches').set('authorization', stack.org.apiKey).set('content-type', 'application/json').send('{"call_data": [');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: 'error', message: 'Malformed JSON in request body.' });
    const big = { base_prompt: 'x', call_data: [{ phone_number: '+14155550100', blob: 'x'.repeat(9 * 1_048_576) }] };
    const tooBig = await post(big);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.status).toBe('error');
    const callTooBig = await post({ phone_number: '+14155550100', task: 'x'.repeat(2 * 1_048_576) }, '/v1/calls');
    expect(callTooBig.status).toBe(413);
    await nothingCreated();
  });

  it('answers 404 for an unknown batch_id on every batch route', async () => {
    await get('/v1/batches/nope-gen-batch').expect(404);
    await get('/v1/batches/nope-gen-batch/analysis').expect(404);
    await get('/v1/batches/nope-gen-batch/progress').expect(404);
    await post({}, '/v1/batches/nope-gen-batch/stop').expect(404);
    await post({}, '/v1/batches/nope-gen-batch/replay').expect(404);
    // The replay body may be left out; a wrong one is a 400 before the lookup.
    await request(stack.apiUrl).post('/v1/calls/no-such-call/replay').set('authorization', stack.org.apiKey).expect(404);
    expect((await post({ statuses: 'busy', colour: 1 }, '/v1/batches/nope-gen-batch/replay').expect(400)).body.errors).toEqual([
      'statuses must be a non-empty array of: error, no-answer, busy, failed, voicemail, canceled.',
      'colour is not a known field (known: statuses, overrides, label, max_concurrency, batch_webhook).',
    ]);
    await post({ goal: 'g', questions: [['q']] }, '/v1/batches/nope-gen-batch/analyze').expect(404);
    await post({ goal: 5 }, '/v1/batches/nope-gen-batch/analyze').expect(400);
    await get('/v1/batches?limit=abc').expect(400);
    // The seed's limit, as /openapi.json states it: 1000 at most, larger is refused rather than cut.
    expect((await get('/v1/batches?limit=1001').expect(400)).body.errors).toEqual(['limit must be at most 1000.']);
    await get('/v1/batches?limit=1000').expect(200);
    await get('/v1/batches?limit=0').expect(200);
    await get('/v1/batches/nope-gen-batch?include_calls=maybe').expect(400);
  });

  it('skips bad rows only on request, and lists them', async () => {
    const res = await post({ base_prompt: 'x', skip_invalid_rows: true, call_data: [{ phone_number: '+14155550100' }, { phone_number: 'abc' }, { phone_number: '(415) 555-0102' }] }).expect(200);
    started.push(res.body.batch_id);
    expect(res.body.skipped_rows).toEqual([{ index: 1, reason: expect.stringMatching(/^phone_number: /) }]);
    const batch = (await get(`/v1/batches/${res.body.batch_id}`).expect(200)).body;
    expect(batch).toMatchObject({ status: 'in-progress', analysis: { total_calls: 2, in_progress_calls: 2, queue_statuses: { queued: 2 } } });
    expect(batch.batch_params.skipped_rows).toHaveLength(1);
    expect((await post({ base_prompt: 'x', skip_invalid_rows: true, call_data: [{ phone_number: 'abc' }] }).expect(400)).body.errors).toContain('call_data has no valid row.');
  });

  it('accepts 100,000 rows, stored in chunks and never in the workflow input', async () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => ({ phone_number: `+1415${String(5_000_000 + i).padStart(7, '0')}`, name: `Person ${i}` }));
    const res = await post({ base_prompt: 'Hello {{name}}', call_data: rows, label: 'big' });
    expect(res.status).toBe(200);
    const id = res.body.batch_id as string;
    started.push(id);
    expect(await stack.db.collections.batchRows.countDocuments({ org_id: stack.org.id, batch_id: id })).toBe(200);
    const desc = await stack.temporal.client.workflow.getHandle(batchWorkflowId(id)).describe();
    expect(desc.typedSearchAttributes.get(SA.BatchId)).toBe(id);
    const history = await stack.temporal.client.workflow.getHandle(batchWorkflowId(id)).fetchHistory();
    const inputBytes = JSON.stringify(history.events?.[0]?.workflowExecutionStartedEventAttributes?.input ?? {}).length;
    expect(inputBytes).toBeLessThan(2000);
    const list = (await get('/v1/batches?limit=1').expect(200)).body.batches;
    expect(list[0]).toMatchObject({ batch_id: id, label: 'big', base_prompt: 'Hello {{name}}', total_calls: 100_000 });
  }, 120_000);

  it("accepts the top-level phone_number and task Bland's Python client sends, uses neither and names them in warnings", async () => {
    const rows = [{ phone_number: '+14155550100', name: 'Ada' }];
    const res = await post({ base_prompt: 'Hi {{name}}', call_data: rows, phone_number: '+14155550199', task: 'Something else', label: 'client form' }).expect(200);
    started.push(res.body.batch_id);
    expect(res.body).toMatchObject({ message: 'success', batch_id: expect.stringMatching(/-gen-batch$/) });
    expect(res.body.warnings).toEqual([expect.stringMatching(/^phone_number and task are ignored in a batch/)]);
    const batch = await stack.db.collections.batches.findOne({ _id: res.body.batch_id, org_id: stack.org.id });
    expect(batch?.base_prompt).toBe('Hi {{name}}');
    expect(batch?.call_params).not.toHaveProperty('phone_number');
    expect(batch?.call_params).not.toHaveProperty('task');
    // A batch without them has no warnings.
    const plain = await post({ base_prompt: 'x', call_data: rows }).expect(200);
    started.push(plain.body.batch_id);
    expect(plain.body).not.toHaveProperty('warnings');
  });

  it("shows the seed's five call_params with their values in force in the list and the details, without storing them", async () => {
    const res = await post({ base_prompt: 'x', call_data: [{ phone_number: '+14155550100' }], label: 'call params', language: 'fr-FR', voice: 'Polly.Joanna' }).expect(200);
    const id = res.body.batch_id as string;
    started.push(id);
    const seedFive = { reduce_latency: true, voice_id: 0, language: 'fr-FR', max_duration: expect.any(Number), wait_for_greeting: false };
    const listed = ((await get('/v1/batches?limit=10').expect(200)).body.batches as Array<{ batch_id: string; call_params: object }>).find((b) => b.batch_id === id);
    expect(listed?.call_params).toEqual({ ...seedFive, voice: 'Polly.Joanna' });
    const details = (await get(`/v1/batches/${id}?include_calls=false`).expect(200)).body;
    expect(details.batch_params.call_params).toEqual({ ...seedFive, voice: 'Polly.Joanna' });
    expect(details.call_data).toEqual([]);
    // Each call still gets exactly what the request set: the shown defaults are not stored.
    expect((await stack.db.collections.batches.findOne({ _id: id, org_id: stack.org.id }))?.call_params).toEqual({ language: 'fr-FR', voice: 'Polly.Joanna' });
  });
});
