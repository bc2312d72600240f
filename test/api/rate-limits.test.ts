import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Collection } from 'mongodb';
import { callWorkflowId } from '../../src/ids';
import { createLogger } from '../../src/logger';
import { createWindowCounters, windowAt, type RateLimitDoc } from '../../src/rate-limit/counters';
import { startApiRole, type ApiRole } from '../../src/roles';
import { startStack, uid, type Stack } from '../helpers/stack';

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: { status?: string; message?: string; errors?: string[]; call_id?: string };
}

/**
 * HTTP from a chosen loopback address (all of 127.0.0.0/8 is this host on Linux), so one test
 * process can be several clients: the server sees each request's real peer address.
 */
function send(baseUrl: string, from: string, method: 'GET' | 'POST', path: string, key?: string, body?: unknown): Promise<Answer> {
  const url = new URL(path, baseUrl);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        localAddress: from,
        agent: false,
        headers: {
          ...(key === undefined ? {} : { authorization: key }),
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, body: text ? JSON.parse(text) : {} });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * The limits count in one-minute windows: a scenario that straddles a window boundary would see
 * its counters restart. Such a run is repeated once (with fresh clients, keys and orgs); a run
 * takes a few seconds, so the second cannot straddle too.
 */
async function inOneWindow(scenario: () => Promise<void>): Promise<void> {
  const before = windowAt(Date.now()).index;
  try {
    await scenario();
    if (windowAt(Date.now()).index === before) return;
  } catch (err) {
    if (windowAt(Date.now()).index === before) throw err;
  }
  await scenario();
}

let addressSeq = 10;
/** A loopback address no other test has used: a client of its own. */
const newClient = () => `127.0.${Math.floor(addressSeq / 250)}.${(addressSeq++ % 250) + 2}`;
const wrongKey = () => `sb_wrong_${uid()}${uid()}`;

const expectTooMany = (res: Answer) => {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({ status: 'error', message: 'Too many requests.', errors: [expect.stringMatching(/Retry after \d+ seconds\.$/)] });
  expect(res.retryAfter).toMatch(/^\d+$/);
  const seconds = Number(res.retryAfter);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(60);
};

const LIMITS = { perAddress: 5, perKey: 3, calls: 3, requests: 12 };

describe('API: rate limits', () => {
  let stack: Stack;
  /** A second API process: its own createApp, the same database. */
  let second: ApiRole;
  const started: string[] = [];

  beforeAll(async () => {
    stack = await startStack({
      worker: false,
      env: {
        RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: String(LIMITS.perAddress),
        RATE_LIMIT_AUTH_FAILURES_PER_KEY_PER_MINUTE: String(LIMITS.perKey),
        RATE_LIMIT_CALLS_PER_MINUTE: String(LIMITS.calls),
        RATE_LIMIT_REQUESTS_PER_MINUTE: String(LIMITS.requests),
      },
    });
    second = await startApiRole(stack.config, stack.endpoints, {
      db: stack.db,
      temporal: stack.temporal,
      logger: createLogger('silent'),
      adminApiKey: stack.config.auth.adminApiKey,
      port: 0,
    });
  });
  afterAll(async () => {
    // No worker runs these calls: end their workflows so the shared dev server stays tidy.
    await Promise.allSettled(started.map((id) => stack.temporal.client.workflow.getHandle(callWorkflowId(id)).terminate('test cleanup')));
    await second?.stop();
    await stack?.stop();
  });

  async function postCall(baseUrl: string, from: string, key: string) {
    const res = await send(baseUrl, from, 'POST', '/v1/calls', key, { phone_number: '+14155550123', task: `Rate limit test ${uid()}` });
    if (res.status === 200 && res.body.call_id) started.push(res.body.call_id);
    return res;
  }

  it('config reads the limits, and 0 is a valid value (off)', () => {
    expect(stack.config.rateLimits).toEqual({
      authFailuresPerAddress: LIMITS.perAddress,
      authFailuresPerKey: LIMITS.perKey,
      workPerOrg: LIMITS.calls,
      requestsPerOrg: LIMITS.requests,
    });
  });

  it('wrong keys from one address: 401 up to the limit, then 429 with Retry-After, even for the right key; another address still gets in', async () => {
    await inOneWindow(async () => {
      const attacker = newClient();
      for (let i = 0; i < LIMITS.perAddress; i++) {
        const res = await send(stack.apiUrl, attacker, 'GET', '/v1/calls', wrongKey());
        expect(res.status).toBe(401);
        expect(res.retryAfter).toBeUndefined();
      }
      const refused = await send(stack.apiUrl, attacker, 'GET', '/v1/calls', wrongKey());
      expectTooMany(refused);
      expect(refused.body.errors![0]).toContain('from this address');
      // Refused before the key is looked up: a right guess answers exactly like a wrong one.
      const rightKey = await send(stack.apiUrl, attacker, 'GET', '/v1/calls', stack.org.apiKey);
      expectTooMany(rightKey);
      expect(rightKey.body.errors![0]).toContain('from this address');

      const other = newClient();
      expect((await send(stack.apiUrl, other, 'GET', '/v1/calls', stack.org.apiKey)).status).toBe(200);
      expect((await send(stack.apiUrl, other, 'GET', '/v1/calls', wrongKey())).status).toBe(401);

      // Counted under the address and a digest of each key, never the raw key.
      const docs = await stack.db.collections.rateLimits.find({ _id: { $regex: `^auth_address:${attacker.replace(/\./g, '\\.')}:` } }).toArray();
      expect(docs).toHaveLength(1);
      // Refused requests were never checked, so never counted.
      expect(docs[0]).toMatchObject({ scope: 'auth_address', failures: LIMITS.perAddress });
      expect(docs[0]!.expires_at).toBeInstanceOf(Date);
      const all = JSON.stringify(await stack.db.collections.rateLimits.find({}).toArray());
      expect(all).not.toContain('sb_wrong_');
    });
  });

  it('a concurrent burst of wrong keys: exactly the limit answer 401, all the others 429', async () => {
    await inOneWindow(async () => {
      const attacker = newClient();
      const answers = await Promise.all(Array.from({ length: 40 }, () => send(stack.apiUrl, attacker, 'GET', '/v1/calls', wrongKey())));
      expect(answers.filter((a) => a.status === 401)).toHaveLength(LIMITS.perAddress);
      for (const a of answers.filter((x) => x.status !== 401)) expectTooMany(a);
    });
  });

  it('the counters answer each hit of a burst with its own position, and store the sum', async () => {
    const counters = createWindowCounters(stack.db.collections.rateLimits, (err) => {
      throw err;
    });
    const key = `burst-${uid()}`;
    const now = Date.now();
    const hits = await Promise.all(Array.from({ length: 50 }, () => counters.hit({ scope: 'auth_key', key }, { failures: 1 }, now)));
    expect(hits.map((h) => h.counters.failures).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const doc = await stack.db.collections.rateLimits.findOne({ _id: `auth_key:${key}:${windowAt(now).index}` });
    expect(doc).toMatchObject({ scope: 'auth_key', failures: 50, expires_at: new Date(windowAt(now).endsAt) });
  });

  it('one wrong key value tried from many addresses: 429 once the key is over its own limit', async () => {
    await inOneWindow(async () => {
      const key = wrongKey();
      for (let i = 0; i < LIMITS.perKey; i++) {
        expect((await send(stack.apiUrl, newClient(), 'GET', '/v1/calls', key)).status).toBe(401);
      }
      const refused = await send(stack.apiUrl, newClient(), 'GET', '/v1/calls', key);
      expectTooMany(refused);
      expect(refused.body.errors![0]).toContain('with this key');
      // Only that key: the same fresh address with another wrong key is an ordinary 401.
      const client = newClient();
      expectTooMany(await send(stack.apiUrl, client, 'GET', '/v1/calls', key));
      expect((await send(stack.apiUrl, client, 'GET', '/v1/calls', wrongKey())).status).toBe(401);
    });
  });

  it('wrong admin keys count too', async () => {
    await inOneWindow(async () => {
      const attacker = newClient();
      for (let i = 0; i < LIMITS.perAddress; i++) {
        expect((await send(stack.apiUrl, attacker, 'POST', '/v1/admin/orgs', wrongKey(), { name: 'x' })).status).toBe(401);
      }
      expectTooMany(await send(stack.apiUrl, attacker, 'POST', '/v1/admin/orgs', stack.config.auth.adminApiKey!, { name: 'x' }));
      expect((await send(stack.apiUrl, newClient(), 'POST', '/v1/admin/orgs', stack.config.auth.adminApiKey!, { name: `Org ${uid()}` })).status).toBe(201);
    });
  });

  it('two API processes share the failed-auth counters', async () => {
    await inOneWindow(async () => {
      const attacker = newClient();
      const apis = [stack.apiUrl, second.server.url];
      for (let i = 0; i < LIMITS.perAddress; i++) {
        expect((await send(apis[i % 2]!, attacker, 'GET', '/v1/calls', wrongKey())).status).toBe(401);
      }
      // Over the limit, whichever process is asked: neither has checked more than its share.
      expectTooMany(await send(apis[LIMITS.perAddress % 2]!, attacker, 'GET', '/v1/calls', wrongKey()));
      expectTooMany(await send(apis[(LIMITS.perAddress + 1) % 2]!, attacker, 'GET', '/v1/calls', wrongKey()));
      for (const api of apis) expectTooMany(await send(api, attacker, 'GET', '/v1/calls', stack.org.apiKey));
    });
  });

  it('POST /v1/calls per organisation: 429 in Bland’s shape past the limit, other organisations and reads unaffected', async () => {
    await inOneWindow(async () => {
      const client = newClient();
      const [busy, quiet] = [await stack.newOrg(), await stack.newOrg()];
      for (let i = 0; i < LIMITS.calls; i++) expect((await postCall(stack.apiUrl, client, busy.apiKey)).status).toBe(200);
      const refused = await postCall(stack.apiUrl, client, busy.apiKey);
      expectTooMany(refused);
      expect(refused.body.errors![0]).toContain(`at most ${LIMITS.calls} calls and other work-creating requests per minute`);
      expect(await stack.db.collections.calls.countDocuments({ org_id: busy.id })).toBe(LIMITS.calls);

      // Other work routes share the organisation's work limit: refused before the body is even read.
      expectTooMany(await send(stack.apiUrl, client, 'POST', '/v1/batches', busy.apiKey, { base_prompt: 'x', call_data: [] }));
      expectTooMany(await send(stack.apiUrl, client, 'POST', '/v1/dynamic_data/test', busy.apiKey, { dynamic_data: [] }));
      expectTooMany(await send(stack.apiUrl, client, 'POST', '/v1/voices/maya/sample', busy.apiKey, { text: 'Hello.' }));
      // A knowledge base's create or update starts its indexing: work too, under /vectors as under /v1/vectors.
      expectTooMany(await send(stack.apiUrl, client, 'POST', '/vectors', busy.apiKey, { name: 'kb', description: 'd', text: 't' }));
      expectTooMany(await send(stack.apiUrl, client, 'POST', '/v1/vectors/KB-00000000-0000-4000-8000-000000000000', busy.apiKey, { text: 't' }));
      // Reads are only under the general limit.
      expect((await send(stack.apiUrl, client, 'GET', '/v1/calls', busy.apiKey)).status).toBe(200);
      // The window document carries the organisation.
      const doc = await stack.db.collections.rateLimits.findOne({ scope: 'org', org_id: busy.id });
      expect(doc).toMatchObject({ org_id: busy.id, work: LIMITS.calls + 6 });

      expect((await postCall(stack.apiUrl, client, quiet.apiKey)).status).toBe(200);
    });
  });

  it('two API processes share an organisation’s counters', async () => {
    await inOneWindow(async () => {
      const client = newClient();
      const org = await stack.newOrg();
      const apis = [stack.apiUrl, second.server.url];
      for (let i = 0; i < LIMITS.calls; i++) expect((await postCall(apis[i % 2]!, client, org.apiKey)).status).toBe(200);
      for (const api of apis) expectTooMany(await postCall(api, client, org.apiKey));
    });
  });

  it('every request of an organisation counts against its general limit', async () => {
    await inOneWindow(async () => {
      const client = newClient();
      const org = await stack.newOrg();
      const apis = [stack.apiUrl, second.server.url];
      for (let i = 0; i < LIMITS.requests; i++) expect((await send(apis[i % 2]!, client, 'GET', '/v1/calls', org.apiKey)).status).toBe(200);
      const refused = await send(stack.apiUrl, client, 'GET', '/v1/calls', org.apiKey);
      expectTooMany(refused);
      expect(refused.body.errors![0]).toContain(`at most ${LIMITS.requests} requests per minute`);
      // Unauthenticated routes are not an organisation's.
      expect((await send(stack.apiUrl, client, 'GET', '/health')).status).toBe(200);
    });
  });
});

describe('API: rate limits when their store writes fail', () => {
  let stack: Stack;
  let broken: ApiRole;
  const lines: Array<{ msg?: string; scope?: string; level?: number }> = [];

  beforeAll(async () => {
    stack = await startStack({
      worker: false,
      env: { RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '2', RATE_LIMIT_AUTH_FAILURES_PER_KEY_PER_MINUTE: '2', RATE_LIMIT_REQUESTS_PER_MINUTE: '2' },
    });
    const down = () => Promise.reject(new Error('store unavailable'));
    const rateLimits = { findOneAndUpdate: down, deleteMany: down } as unknown as Collection<RateLimitDoc>;
    const logs = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString('utf8')));
        done();
      },
    });
    broken = await startApiRole(stack.config, stack.endpoints, {
      db: { ...stack.db, collections: { ...stack.db.collections, rateLimits } },
      temporal: stack.temporal,
      logger: pino({ level: 'error' }, logs),
      adminApiKey: undefined,
      port: 0,
    });
  });
  afterAll(async () => {
    await broken?.stop();
    await stack?.stop();
  });

  it('fails open: requests go on unlimited, and the failure is logged (not once per request)', async () => {
    const client = newClient();
    for (let i = 0; i < 6; i++) expect((await send(broken.server.url, client, 'GET', '/v1/calls', 'sb_the_same_wrong_key')).status).toBe(401);
    for (let i = 0; i < 6; i++) expect((await send(broken.server.url, client, 'GET', '/v1/calls', stack.org.apiKey)).status).toBe(200);
    const failures = lines.filter((l) => l.msg?.includes('fail-open'));
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(failures.length).toBeLessThan(3);
    expect(failures[0]).toMatchObject({ level: 50 });
  });
});

describe('API: rate limits switched off (0)', () => {
  let stack: Stack;
  const started: string[] = [];

  beforeAll(async () => {
    stack = await startStack({
      worker: false,
      env: {
        RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '0',
        RATE_LIMIT_AUTH_FAILURES_PER_KEY_PER_MINUTE: '0',
        RATE_LIMIT_CALLS_PER_MINUTE: '0',
        RATE_LIMIT_REQUESTS_PER_MINUTE: '0',
      },
    });
  });
  afterAll(async () => {
    await Promise.allSettled(started.map((id) => stack.temporal.client.workflow.getHandle(callWorkflowId(id)).terminate('test cleanup')));
    await stack?.stop();
  });

  it('lets everything through and counts nothing', async () => {
    const client = newClient();
    const key = wrongKey();
    // More than the default limits of both failed-auth counters (30 per address, 10 per key).
    for (let i = 0; i < 35; i++) expect((await send(stack.apiUrl, client, 'GET', '/v1/calls', key)).status).toBe(401);
    for (let i = 0; i < 5; i++) {
      const res = await send(stack.apiUrl, client, 'POST', '/v1/calls', stack.org.apiKey, { phone_number: '+14155550123', task: 'x' });
      expect(res.status).toBe(200);
      started.push(res.body.call_id!);
    }
    expect((await send(stack.apiUrl, client, 'GET', '/v1/calls', stack.org.apiKey)).status).toBe(200);
    // Off means no counter at all, so no number of requests can reach a limit.
    expect(await stack.db.collections.rateLimits.countDocuments({})).toBe(0);
  });
});
