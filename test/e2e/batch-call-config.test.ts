import request from 'supertest';
import { uniqueNumber } from '../helpers/calls';
import { eventually } from '../helpers/poll';
import { startStack, type Stack } from '../helpers/stack';
import { json, startToolServer, type ToolServer } from '../helpers/tool-server';

/** A batch's call parameters refer to tools and dynamic_data exactly as POST /v1/calls does: resolved once, applied to every row. */
describe('batch call configuration', () => {
  let stack: Stack;
  let api: ToolServer;
  const lookups: string[] = [];
  beforeAll(async () => {
    api = await startToolServer();
    stack = await startStack({ allow: [api.url], env: { BATCH_DIALS_PER_SECOND: '50' } });
    api.on('/refuses', (_req, res) => json(res, 400, { error: 'no' }));
    api.on('/customers', (req, res) => {
      lookups.push(String(req.query.phone_number));
      json(res, 200, { tier: 'gold' });
    });
  });
  afterAll(async () => {
    await api.close();
    await stack.stop();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    request(stack.apiUrl).post(path).set('authorization', stack.org.apiKey).set(headers).send(body as object);
  const batchCount = async () => (await request(stack.apiUrl).get('/v1/batches').set('authorization', stack.org.apiKey).expect(200)).body.batches.length as number;

  it('runs each row with the batch dynamic_data, templated with that row', async () => {
    const rows = [uniqueNumber(), uniqueNumber()];
    for (const n of rows) stack.simulator.scriptNumber(n, { utterances: ['Bye.'] });
    const res = await post('/v1/batches', {
      base_prompt: 'Thank the {{tier}} customer.',
      call_data: rows.map((phone_number) => ({ phone_number })),
      dynamic_data: [{ url: `${api.url}/customers`, query: { phone_number: '{{phone_number}}' }, response_data: [{ name: 'tier', data: '$.tier' }] }],
    }).expect(200);
    const batchId = res.body.batch_id as string;
    const batch = await eventually(async () => {
      const b = (await request(stack.apiUrl).get(`/v1/batches/${batchId}`).set('authorization', stack.org.apiKey).expect(200)).body;
      return b.status === 'completed' ? b : null;
    }, 60_000, 200);
    expect(batch.analysis.queue_statuses).toEqual({ complete: 2 });
    expect(lookups.sort()).toEqual([...rows].sort());
    for (const c of batch.call_data as Array<Record<string, any>>) {
      const call = (await request(stack.apiUrl).get(`/v1/calls/${c.call_id}`).set('authorization', stack.org.apiKey).expect(200)).body;
      expect(call.variables).toMatchObject({ tier: 'gold', phone_number: c.to });
    }
  });

  it('records a batch webhook that failed for good on the batch, which still completes', async () => {
    const n = uniqueNumber();
    stack.simulator.scriptNumber(n, { utterances: ['Bye.'] });
    const res = await post('/v1/batches', { base_prompt: 'Hi', call_data: [{ phone_number: n }], batch_webhook: `${api.url}/refuses` }).expect(200);
    const batch = await eventually(async () => {
      const b = (await request(stack.apiUrl).get(`/v1/batches/${res.body.batch_id}`).set('authorization', stack.org.apiKey).expect(200)).body;
      return b.batch_params.batch_webhook_error ? b : null;
    }, 60_000, 200);
    expect(batch.status).toBe('completed');
    expect(batch.batch_params.batch_webhook_error).toMatch(/400/);
  });

  it('refuses the whole batch for an unknown tool, a missing pathway or an unknown encrypted_key, creating nothing', async () => {
    const before = await batchCount();
    const call_data = [{ phone_number: uniqueNumber() }];
    const tool = await post('/v1/batches', { base_prompt: 'Hi', call_data, tools: ['TL-00000000-0000-0000-0000-000000000000'] }).expect(400);
    expect(tool.body).toMatchObject({ status: 'error', errors: [expect.stringContaining('no tool with id')] });
    const pathway = await post('/v1/batches', { base_prompt: 'Hi', call_data, pathway_id: 'no-such-pathway' });
    expect(pathway.status).toBe(404);
    expect(pathway.body.status).toBe('error');
    const key = await post('/v1/batches', { base_prompt: 'Hi', call_data }, { encrypted_key: 'ek_not-a-key' }).expect(400);
    expect(key.body.errors[0]).toMatch(/encrypted_key/);
    expect(await batchCount()).toBe(before);
  });
});
