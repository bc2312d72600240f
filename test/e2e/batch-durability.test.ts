import request from 'supertest';
import { simCallsTo, uniqueNumber } from '../helpers/calls';
import { eventually } from '../helpers/poll';
import { startStack, type Stack } from '../helpers/stack';
import { exited, spawnWorker } from '../helpers/worker-process';

/** Kill the worker (SIGKILL) in the middle of a batch, start another: every row ends exactly once. */
describe('a batch survives a killed worker', () => {
  let stack: Stack;
  beforeAll(async () => {
    // The carrier waits for webhooks while the new worker starts.
    stack = await startStack({ worker: false, simulatorWebhookTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('finishes every row once after a kill mid-batch', async () => {
    const rows = Array.from({ length: 24 }, (_, n) => ({ phone_number: uniqueNumber(), n }));
    for (const r of rows) stack.simulator.scriptNumber(r.phone_number, { answer: 'human', utterances: ['Hello.', 'Bye.'], speechDelayMs: 100 });
    let worker = spawnWorker(stack);
    try {
      const res = await request(stack.apiUrl)
        .post('/v1/batches')
        .set('authorization', stack.org.apiKey)
        .send({ base_prompt: 'Row {{n}}.', call_data: rows, max_concurrency: 4 })
        .expect(200);
      const id = res.body.batch_id as string;
      // Some rows done, some live, most still queued.
      await eventually(
        async () => (await stack.db.collections.calls.countDocuments({ org_id: stack.org.id, batch_id: id, completed: true })) >= 6,
        60_000,
        20,
      );
      worker.kill('SIGKILL');
      await exited(worker);
      worker = spawnWorker(stack);
      const batch = await eventually(async () => {
        const b = (await request(stack.apiUrl).get(`/v1/batches/${id}?include_transcripts=false`).set('authorization', stack.org.apiKey).expect(200)).body;
        return b.status === 'completed' ? b : null;
      }, 150_000, 250);
      expect(batch.analysis).toMatchObject({ total_calls: 24, completed_calls: 24, in_progress_calls: 0 });
      expect(batch.call_data.map((c: { to: string }) => c.to)).toEqual(rows.map((r) => r.phone_number));
      for (const r of rows) expect(simCallsTo(stack, r.phone_number)).toHaveLength(1);
      expect(Object.values(batch.analysis.queue_statuses as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(24);
    } finally {
      worker.kill('SIGTERM');
      await exited(worker);
    }
  }, 200_000);
});
