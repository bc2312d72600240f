import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { temporalBinary } from '../../src/infra/paths';
import { getFreePort } from '../../src/infra/readiness';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/infra/temporal-dev-server';
import { callWorkflowId } from '../../src/ids';
import { SEARCH_ATTRIBUTE_TYPES } from '../../src/workflow-api/search-attributes';
import request from 'supertest';
import { getCall, sendCall, simCallsTo, uniqueNumber } from '../helpers/calls';
import { eventually } from '../helpers/poll';
import { startStack, type Stack } from '../helpers/stack';

/**
 * Restart the Temporal server (dev server, SQLite file) in the middle of a live call. Its own
 * server, not the run's shared one: on a random port with a temporary database file, restarted on
 * the same port and file. The call must finish with a complete record, or end with a clear error:
 * never stay open with nobody knowing. In both cases the callee was dialled once.
 */
describe('a live call across a Temporal server restart', () => {
  let stack: Stack;
  let server: TemporalDevServer;
  let dataDir: string;
  let port: number;
  const config = loadConfig({ ...process.env });
  const namespace = config.temporal.namespace;

  const startServer = () =>
    startTemporalDevServer({
      binary: temporalBinary(config.paths.cacheDir),
      dataDir,
      port,
      uiPort: 0,
      namespace,
      searchAttributes: SEARCH_ATTRIBUTE_TYPES,
      logDir: dataDir,
    });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchboard-temporal-restart-'));
    port = await getFreePort('127.0.0.1');
    server = await startServer();
    // The carrier waits for webhooks longer than Twilio's 15 s: the server is away for a few seconds.
    stack = await startStack({ env: { TEMPORAL_ADDRESS: server.address }, simulatorWebhookTimeoutMs: 60_000 });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('the call completes (or ends with a clear error) after the server comes back', async () => {
    const utterances = ['Hi.', 'I am fine.', 'Tell me more.', 'Interesting.', 'What else?', 'Okay.', 'Thanks, bye.'];
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances, speechDelayMs: 300 });
    const id = await sendCall(stack, { phone_number: to, task: 'Have a short chat.' });

    await eventually(async () => {
      const sim = simCallsTo(stack, to)[0];
      return sim && sim.transcript.filter((l) => l.speaker === 'callee').length >= 2;
    }, 60_000, 20);
    await server.stop();
    server = await startServer();

    // Temporal has the last word: the workflow closes (after the post-call steps), not running on with nobody watching.
    const handle = stack.temporal.client.workflow.getHandle(callWorkflowId(id));
    const closed = await eventually(async () => {
      const d = await handle.describe().catch(() => null);
      return d && d.status.name !== 'RUNNING' ? d.status.name : null;
    }, 150_000, 250);
    expect(closed).toBe('COMPLETED');
    const call = await getCall(stack, id);
    expect(call.completed).toBe(true);
    const sims = simCallsTo(stack, to);
    expect(sims).toHaveLength(1);
    if (call.queue_status === 'complete') {
      expect(call).toMatchObject({ status: 'completed', call_ended_by: expect.any(String) });
      const said = call.transcripts.filter((t: { user: string }) => t.user === 'user').map((t: { text: string }) => t.text);
      expect(said).toEqual(sims[0]!.transcript.filter((l) => l.speaker === 'callee').map((l) => l.text));
    } else {
      // The other acceptable end: an error status with a message that says what happened.
      expect(['call_error', 'complete_error', 'queue_error']).toContain(call.queue_status);
      expect(call.error_message).toEqual(expect.any(String));
      expect(call.error_message.length).toBeGreaterThan(0);
    }
  }, 240_000);

  it('a batch window carries on after the server comes back, dialling every row exactly once', async () => {
    const rows = Array.from({ length: 6 }, () => uniqueNumber());
    for (const n of rows) stack.simulator.scriptNumber(n, { answer: 'human', utterances: ['Hello.', 'Bye.'], speechDelayMs: 300 });
    const res = await request(stack.apiUrl)
      .post('/v1/batches')
      .set('authorization', stack.org.apiKey)
      .send({ base_prompt: 'Say hello.', call_data: rows.map((phone_number) => ({ phone_number })), max_concurrency: 2 })
      .expect(200);
    const batchId = res.body.batch_id as string;
    // Restart while the first calls are live and the rest of the rows are still to dial.
    await eventually(async () => rows.some((n) => simCallsTo(stack, n).length > 0), 60_000, 20);
    await server.stop();
    server = await startServer();

    const batch = await eventually(async () => {
      const b = (await request(stack.apiUrl).get(`/v1/batches/${batchId}`).set('authorization', stack.org.apiKey).expect(200)).body;
      return b.status === 'completed' ? b : null;
    }, 180_000, 500);
    expect(batch.analysis).toMatchObject({ total_calls: 6, completed_calls: 6 });
    expect(rows.map((n) => simCallsTo(stack, n).length)).toEqual([1, 1, 1, 1, 1, 1]);
  }, 240_000);
});
