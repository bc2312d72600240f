import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAllowList } from '../../src/net/allow-list';
import { OutboundHttpError, type Resolver } from '../../src/net/destination';
import { executeHttpCall, httpFailureIsRetryable } from '../../src/net/http-call';
import { createOutboundHttp } from '../../src/net/outbound-http';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function startServer(handler: http.RequestListener) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res);
    });
  });
  return new Promise<{ port: number; seen: Seen[]; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({ port: (server.address() as AddressInfo).port, seen, close: () => new Promise((r) => server.close(() => r())) }),
    );
  });
}

const fakeDns: Resolver = async (host) => {
  if (host === 'internal.example.test') return [{ address: '10.1.2.3', family: 4 }];
  throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
};

describe('executeHttpCall', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let answer: http.RequestListener = (_req, res) => res.end('ok');
  // Exactly the test server's port, as an operator would list one local service.
  let open: ReturnType<typeof createOutboundHttp>;
  const closed = createOutboundHttp({ allowList: parseAllowList(''), resolve: fakeDns });
  const base = () => `http://127.0.0.1:${server.port}`;

  beforeAll(async () => {
    server = await startServer((req, res) => answer(req, res));
    open = createOutboundHttp({ allowList: parseAllowList(`127.0.0.1:${server.port}`) });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.seen.length = 0;
    answer = (_req, res) => res.end('ok');
  });

  it('templates url, headers, query and an object body, and sends JSON', async () => {
    answer = (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ stylist_name: 'Ana', success: true }));
    };
    const vars = { input: { date: '2024-04-20', time: '10:00 AM' }, call_id: 'c-1', phone_number: '+15550001111', path: 'book' };
    const result = await executeHttpCall(
      open,
      {
        url: `${base()}/{{path}}`,
        method: 'post',
        headers: { Authorization: 'Bearer secret-token', 'X-Call': '{{call_id}}' },
        query: { phone: '{{phone_number}}', n: 3 },
        body: { date: '{{input.date}}', time: '{{input.time}}', missing: '{{input.nope}}' },
      },
      vars,
    );
    const seen = server.seen[0]!;
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/book?phone=%2B15550001111&n=3');
    expect(seen.headers.authorization).toBe('Bearer secret-token');
    expect(seen.headers['x-call']).toBe('c-1');
    expect(seen.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen.body)).toEqual({ date: '2024-04-20', time: '10:00 AM', missing: '' });
    expect(result.ok).toBe(true);
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ stylist_name: 'Ana', success: true });
    // The request as shown in results and events carries no credentials.
    expect(result.request.headers.Authorization).toBe('[redacted]');
    expect(result.request.headers['X-Call']).toBe('c-1');
    expect(JSON.stringify(result)).not.toContain('secret-token');
  });

  it('sends "{{input}}" as the JSON of the whole input', async () => {
    await executeHttpCall(open, { url: base(), method: 'POST', body: '{{input}}' }, { input: { a: 1, b: ['x'] } });
    expect(JSON.parse(server.seen[0]!.body)).toEqual({ a: 1, b: ['x'] });
    expect(server.seen[0]!.headers['content-type']).toBe('application/json');
  });

  it('nests an object where a body value is exactly one placeholder, as the seed\'s {"slot": "{{input}}"}', async () => {
    await executeHttpCall(open, { url: base(), method: 'POST', body: { slot: '{{input}}', note: 'at {{input.time}}', list: ['{{input}}'] } }, { input: { date: 'd', time: 't' } });
    expect(JSON.parse(server.seen[0]!.body)).toEqual({ slot: { date: 'd', time: 't' }, note: 'at t', list: [{ date: 'd', time: 't' }] });
  });

  it('sends no body with GET and returns text bodies as text', async () => {
    answer = (_req, res) => res.end('plain answer');
    const result = await executeHttpCall(open, { url: base(), body: { ignored: true } }, {});
    expect(server.seen[0]!.method).toBe('GET');
    expect(server.seen[0]!.body).toBe('');
    expect(result.data).toBe('plain answer');
  });

  it('reports an error status as a result, not an exception', async () => {
    answer = (_req, res) => {
      res.statusCode = 500;
      res.end('{"error":"boom"}');
    };
    const result = await executeHttpCall(open, { url: base() }, {});
    expect(result.ok).toBe(false);
    expect(result.status).toBe(500);
    expect(result.data).toEqual({ error: 'boom' });
  });

  it('throws a timeout when the server is too slow', async () => {
    const held: http.ServerResponse[] = [];
    answer = (_req, res) => held.push(res);
    await expect(executeHttpCall(open, { url: base(), timeoutMs: 100 }, {})).rejects.toMatchObject({ code: 'timeout' });
    for (const res of held) res.destroy();
  });

  it.each([
    ['loopback', 'http://127.0.0.1:1/x'],
    ['metadata', 'http://169.254.169.254/latest/meta-data'],
    ['private', 'http://10.0.0.1/'],
    ['IPv6 loopback', 'http://[::1]/'],
    ['IPv6-mapped loopback', 'http://[::ffff:127.0.0.1]/'],
    ['a name resolving to a private address', 'https://internal.example.test/'],
  ])('refuses %s without the allow-list', async (_label, url) => {
    const err = await executeHttpCall(closed, { url }, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboundHttpError);
    expect((err as OutboundHttpError).code).toBe('address_not_allowed');
    expect(httpFailureIsRetryable(err)).toBe(false);
  });

  it('refuses a template that renders to something other than an http(s) URL', async () => {
    await expect(executeHttpCall(open, { url: '{{u}}' }, { u: 'file:///etc/passwd' })).rejects.toMatchObject({ code: 'scheme_not_allowed' });
  });
});

describe('httpFailureIsRetryable', () => {
  it('classifies statuses and errors', () => {
    expect(httpFailureIsRetryable(undefined, 400)).toBe(false);
    expect(httpFailureIsRetryable(undefined, 404)).toBe(false);
    expect(httpFailureIsRetryable(undefined, 408)).toBe(true);
    expect(httpFailureIsRetryable(undefined, 429)).toBe(true);
    expect(httpFailureIsRetryable(undefined, 503)).toBe(true);
    expect(httpFailureIsRetryable(new OutboundHttpError('timeout', 't'))).toBe(true);
    expect(httpFailureIsRetryable(new OutboundHttpError('address_not_allowed', 'n'))).toBe(false);
    expect(httpFailureIsRetryable(new Error('other'))).toBe(true);
  });
});
