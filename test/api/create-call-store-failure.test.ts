import request from 'supertest';
import { createApp } from '../../api/app';
import type { ApiDeps } from '../../api/deps';
import type { Database } from '../../src/db/database';
import { callWorkflowId } from '../../src/ids';
import { createLogger } from '../../src/logger';
import { parseAllowList } from '../../src/net/allow-list';
import { createOutboundHttp } from '../../src/net/outbound-http';
import { createTelephonyProvider } from '../../src/services';
import { uniqueNumber } from '../helpers/calls';
import { startStack, type Stack } from '../helpers/stack';
import { interceptCalls } from '../helpers/troubled-store';

/**
 * A store that accepts the call's first writes and then starts failing (SQLITE_BUSY under a burst,
 * a primary stepping down): once the workflow has started, the answer is still a success with the
 * call_id, so a client never retries a call that is in fact being dialled.
 */
describe('API: POST /v1/calls when the store fails after the start', () => {
  let stack: Stack;
  let failing = false;

  /** The stack's database, with every write on calls failing while `failing` is set. */
  const flakyDb = (db: Database) =>
    interceptCalls(db, ['updateOne', 'updateMany', 'findOneAndUpdate'], () => {
      if (failing) throw Object.assign(new Error('database is locked (SQLITE_BUSY)'), { code: 5 });
    });

  beforeAll(async () => {
    stack = await startStack({ worker: false });
  });
  afterAll(() => stack.stop());

  it('answers success with the call_id, and the workflow is running', async () => {
    const allowList = parseAllowList('');
    const deps: ApiDeps = {
      db: flakyDb(stack.db),
      temporal: stack.temporal.client,
      taskQueue: stack.config.temporal.taskQueue,
      telephony: createTelephonyProvider(stack.config, stack.endpoints),
      logger: createLogger('silent'),
      publicBaseUrl: stack.endpoints.publicBaseUrl,
      bodyLimitBytes: 1_048_576,
      adminApiKey: undefined,
      callDefaults: { from: '+15550100000', maxDurationMinutes: 5, ringTimeoutSeconds: 30 },
      modes: { telephony: 'simulator', llm: 'offline' },
      webhookSecrets: undefined as never,
      outbound: { http: createOutboundHttp({ allowList }), allowList },
    };
    const app = createApp(deps);
    failing = true;
    const res = await request(app)
      .post('/v1/calls')
      .set('authorization', stack.org.apiKey)
      .send({ phone_number: uniqueNumber(), task: 'Say hello.' });
    failing = false;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'success', call_id: expect.any(String) });
    const handle = stack.temporal.client.workflow.getHandle(callWorkflowId(res.body.call_id));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const doc = await stack.db.collections.calls.findOne({ _id: res.body.call_id });
    expect(doc).toMatchObject({ queue_status: 'queued', completed: false });
    await handle.terminate('test over');
  });
});
