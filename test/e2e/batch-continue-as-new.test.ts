import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import request from 'supertest';
import { temporalBinary } from '../../src/infra/paths';
import { getFreePort } from '../../src/infra/readiness';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/infra/temporal-dev-server';
import { batchProgressQuery, batchWorkflowId, type BatchWorkflowInput } from '../../src/workflow-api/batch';
import { SEARCH_ATTRIBUTE_TYPES } from '../../src/workflow-api/search-attributes';
import { callWorkflowId } from '../../src/ids';
import { simCallsTo, uniqueNumber } from '../helpers/calls';
import { localActivityAttempts } from '../helpers/histories';
import { eventually } from '../helpers/poll';
import { startStack, type Stack } from '../helpers/stack';

/**
 * A dev server of its own whose history limits are tiny (continue-as-new suggested at 150 events,
 * a hard failure at 1500), so a 60-row batch must continue as new several times to finish at all.
 */
describe('a batch larger than one run', () => {
  let server: TemporalDevServer;
  let stack: Stack;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchboard-can-'));
    server = await startTemporalDevServer({
      binary: temporalBinary(process.env.SWITCHBOARD_CACHE_DIR ?? join(homedir(), '.cache', 'switchboard')),
      dataDir,
      logDir: dataDir,
      port: await getFreePort(),
      uiPort: 0,
      namespace: 'default',
      searchAttributes: SEARCH_ATTRIBUTE_TYPES,
      dynamicConfig: {
        'limit.historyCount.suggestContinueAsNew': 150,
        'limit.historyCount.warn': 150,
        'limit.historyCount.error': 1500,
      },
    });
    stack = await startStack({ env: { TEMPORAL_ADDRESS: server.address, BATCH_DIALS_PER_SECOND: '100' } });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('continues as new several times and dials every row exactly once', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => ({ phone_number: uniqueNumber(), n: i }));
    for (const r of rows) stack.simulator.scriptNumber(r.phone_number, { answer: i(r.n), utterances: ['Bye.'] });
    const res = await request(stack.apiUrl)
      .post('/v1/batches')
      .set('authorization', stack.org.apiKey)
      .send({ base_prompt: 'Row {{n}}.', call_data: rows, max_concurrency: 8 })
      .expect(200);
    const id = res.body.batch_id as string;
    const batch = await eventually(async () => {
      const b = (await request(stack.apiUrl).get(`/v1/batches/${id}?include_transcripts=false`).set('authorization', stack.org.apiKey).expect(200)).body;
      return b.status === 'completed' ? b : null;
    }, 150_000, 500);
    expect(batch.analysis).toMatchObject({ total_calls: 60, completed_calls: 60, queue_statuses: { complete: 60 } });
    for (const r of rows) expect(simCallsTo(stack, r.phone_number)).toHaveLength(1);

    const handle = stack.temporal.client.workflow.getHandle(batchWorkflowId(id));
    const progress = await handle.query(batchProgressQuery);
    expect(progress).toMatchObject({ done: 60, live: 0, queued: 0, statuses: { completed: 40, busy: 20 } });
    expect(progress.run).toBeGreaterThanOrEqual(3);
    // Every run stayed under the hard limit it would otherwise have hit.
    const runs = [];
    for await (const w of stack.temporal.client.workflow.list({ query: `WorkflowId = '${batchWorkflowId(id)}'` })) runs.push(w);
    expect(runs.length).toBe(progress.run);
    for (const w of runs) expect(w.historyLength).toBeLessThan(1500);
    // A call reports its end only if the run that started it continued as new while it was live
    // (it was told so): each call carried over reported once, to whichever run was current by then
    // (by a local activity sending the signal through the worker's client); the others' results
    // reached the run that started them, and they sent nothing.
    let reports = 0;
    let told = 0;
    const carried = new Set<number>();
    for (const w of runs) {
      const history = await stack.temporal.client.workflow.getHandle(w.workflowId, w.runId).fetchHistory();
      reports += history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'batchCallDone').length;
      told += history.events!.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName === 'batchRowCarried').length;
      const started = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
      const input = JSON.parse(Buffer.from(started.data!).toString()) as BatchWorkflowInput;
      for (const [index] of input.carry?.live ?? []) carried.add(index);
    }
    expect(carried.size).toBeGreaterThan(0);
    expect(reports).toBe(carried.size);
    expect(told).toBeGreaterThanOrEqual(carried.size);
    expect(reports).toBeLessThan(60);
  }, 200_000);

  /**
   * A batch of 31 rows whose row 0 rings for `ringMs`: it is still live when the batch continues as
   * new on the other rows. Resolves once a later run carries it, with its call document.
   */
  const batchCarryingARingingCall = async (ringMs: number) => {
    const ringing = uniqueNumber();
    stack.simulator.scriptNumber(ringing, { answer: 'human', ringMs, utterances: ['Bye.'] });
    const rows = [{ phone_number: ringing, n: 0 }, ...Array.from({ length: 30 }, (_, n) => ({ phone_number: uniqueNumber(), n: n + 1 }))];
    for (const r of rows.slice(1)) stack.simulator.scriptNumber(r.phone_number, { answer: 'human', utterances: ['Bye.'] });
    const res = await request(stack.apiUrl)
      .post('/v1/batches')
      .set('authorization', stack.org.apiKey)
      .send({ base_prompt: 'Row {{n}}.', call_data: rows, max_concurrency: 4 })
      .expect(200);
    const id = res.body.batch_id as string;
    const handle = stack.temporal.client.workflow.getHandle(batchWorkflowId(id));
    const ringingCall = await eventually(async () => {
      const progress = await handle.query(batchProgressQuery);
      if (progress.run < 2) return null;
      const call = await stack.db.collections.calls.findOne({ batch_id: id, batch_row: 0 });
      return call?.completed === false ? call : null;
    }, 45_000, 200);
    return { id, handle, ringingCall };
  };

  it('counts a carried-over call an operator terminated, and completes', async () => {
    const { id, handle, ringingCall } = await batchCarryingARingingCall(55_000);
    // A later run carries it; the ringing call is terminated (it never sends its done signal).
    await stack.temporal.client.workflow.getHandle(`call-${ringingCall.call_id}`).terminate('stuck call');
    // The run that carries it asks the server about it within 30 s, counts it, and the batch completes.
    const batch = await eventually(async () => {
      const b = (await request(stack.apiUrl).get(`/v1/batches/${id}?include_transcripts=false`).set('authorization', stack.org.apiKey).expect(200)).body;
      return b.status === 'completed' ? b : null;
    }, 100_000, 500);
    // The batch counts it as a failed call; its own record stays as a terminate leaves it (docs/operations.md).
    expect(await handle.query(batchProgressQuery)).toMatchObject({ done: 31, live: 0, queueStatuses: { complete: 30, call_error: 1 }, statuses: { completed: 30, failed: 1 } });
    expect(batch.analysis).toMatchObject({ total_calls: 31, in_progress_calls: 1, queue_statuses: { complete: 30 } });
  }, 160_000);

  it('ends a carried-over call whose batch an operator terminated: its report finds no batch and is not retried', async () => {
    const { handle, ringingCall } = await batchCarryingARingingCall(40_000);
    await handle.terminate('operator');
    const call = stack.temporal.client.workflow.getHandle(callWorkflowId(ringingCall.call_id));
    expect(await call.result()).toMatchObject({ queueStatus: 'complete' });
    // It was told it was carried over, so it reports; one attempt: a batch that is gone is a final answer, not a failure to retry.
    expect(localActivityAttempts(await call.fetchHistory(), 'reportBatchCallDone')).toEqual([1]);
  }, 120_000);
});

/** Every third row is busy, so the outcome counts carried across runs can be checked. */
function i(n: number): 'human' | 'busy' {
  return n % 3 === 2 ? 'busy' : 'human';
}
