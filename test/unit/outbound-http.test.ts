import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAllowList } from '../../src/net/allow-list';
import { OutboundHttpError, type Resolver } from '../../src/net/destination';
import { createOutboundHttp } from '../../src/net/outbound-http';

/** A loopback server whose answer each test chooses; it records what reached it. */
function startServer(handler: http.RequestListener) {
  const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res);
    });
  });
  return new Promise<{ port: number; seen: typeof seen; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        seen,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    );
  });
}

/** Fake DNS: names resolve to what the test says, and every lookup is counted. */
function fakeDns(table: Record<string, string[]>) {
  const lookups: string[] = [];
  const resolve: Resolver = async (host) => {
    lookups.push(host);
    const addrs = table[host];
    if (!addrs) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolve, lookups };
}

async function refusal(p: Promise<unknown>): Promise<OutboundHttpError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(OutboundHttpError);
    return err as OutboundHttpError;
  }
  throw new Error('expected the request to be refused');
}

describe('outbound HTTP behind the SSRF guard', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let answer: http.RequestListener = (_req, res) => res.end('ok');
  beforeAll(async () => {
    server = await startServer((req, res) => answer(req, res));
    open = createOutboundHttp({ allowList: parseAllowList(`127.0.0.1:${server.port}`) });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.seen.length = 0;
    answer = (_req, res) => res.end('ok');
  });

  // Exactly the test server's port, as an operator would list one local service.
  let open: ReturnType<typeof createOutboundHttp>;
  const closed = createOutboundHttp({ allowList: parseAllowList('') });

  it('reaches an allow-listed loopback address over plain http', async () => {
    const res = await open.request({ url: `http://127.0.0.1:${server.port}/hook?x=1`, method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(res).toMatchObject({ status: 200, redirects: 0 });
    expect(res.body.toString()).toBe('ok');
    expect(server.seen[0]).toMatchObject({ method: 'POST', url: '/hook?x=1', body: '{"a":1}' });
  });

  it('refuses loopback, private and metadata addresses without an allow-list entry', async () => {
    for (const url of [`https://127.0.0.1:${server.port}/`, 'https://10.0.0.1/', 'https://169.254.169.254/latest/meta-data', 'https://[::1]/', 'https://[::ffff:127.0.0.1]/', 'https://0x7f.1/']) {
      expect((await refusal(closed.request({ url }))).code).toBe('address_not_allowed');
    }
    expect(server.seen).toHaveLength(0);
  });

  it('refuses every spelling of loopback unless host and port are allow-listed', async () => {
    const spellings = (port: number) => [
      `http://2130706433:${port}/`, `http://0x7f000001:${port}/`, `http://0177.0.0.1:${port}/`, `http://127.1:${port}/`,
      `http://0x7f.0.0.1:${port}/`, `http://localhost.:${port}/`, `http://LOCALHOST:${port}/`, `http://[::ffff:7f00:1]:${port}/`,
      `http://[0:0:0:0:0:ffff:127.0.0.1]:${port}/`, `http://user:pw@127.0.0.1:${port}/`, `http://[::1]:${port}/`,
      `http://0.0.0.0:${port}/`, `http://127.0.0.1.:${port}/`,
    ];
    for (const url of spellings(server.port)) expect([url, (await refusal(closed.request({ url }))).code]).toEqual([url, 'address_not_allowed']);
    // Listing the tool server's port opens that port, never a neighbour such as the Temporal UI.
    for (const url of spellings(8233)) expect([url, (await refusal(open.request({ url }))).code]).toEqual([url, 'address_not_allowed']);
    expect(server.seen).toHaveLength(0);
    expect((await open.request({ url: `http://2130706433:${server.port}/ok` })).status).toBe(200);
  });

  it("refuses the deployment's own services even when the operator lists every loopback port", async () => {
    const guard = createOutboundHttp({
      allowList: parseAllowList('127.0.0.1:*,localhost:*,[::1]:*', { reserved: [{ host: '127.0.0.1', port: server.port }] }),
    });
    for (const url of [`http://127.0.0.1:${server.port}/`, `http://localhost:${server.port}/`, `http://127.1:${server.port}/`]) {
      const err = await refusal(guard.request({ url }));
      expect(err.code).toBe('address_not_allowed');
      expect(err.message).toContain("one of this deployment's own services");
    }
    expect(server.seen).toHaveLength(0);
  });

  it('refuses a name that resolves to a private address, and any name with one private answer among public ones', async () => {
    const dns = fakeDns({ 'evil.example': ['10.0.0.8'], 'mixed.example': ['93.184.216.34', '127.0.0.1'] });
    const guard = createOutboundHttp({ allowList: parseAllowList(''), resolve: dns.resolve });
    const e1 = await refusal(guard.request({ url: 'https://evil.example/' }));
    expect(e1).toMatchObject({ code: 'address_not_allowed', retryable: false });
    expect(e1.message).toContain('evil.example (10.0.0.8) is a private address');
    expect((await refusal(guard.request({ url: 'https://mixed.example/' }))).code).toBe('address_not_allowed');
    expect(await refusal(guard.request({ url: 'https://nowhere.example/' }))).toMatchObject({ code: 'dns_failed', retryable: true });
  });

  it('connects to the vetted address, not to a second lookup (no DNS rebinding)', async () => {
    // Real DNS cannot resolve this name; only the pinned address can have carried the request.
    const dns = fakeDns({ 'hooks.test': ['127.0.0.1'] });
    const guard = createOutboundHttp({ allowList: parseAllowList(`hooks.test:${server.port}`), resolve: dns.resolve });
    const res = await guard.request({ url: `http://hooks.test:${server.port}/pinned` });
    expect(res.status).toBe(200);
    expect(dns.lookups).toEqual(['hooks.test']);
    expect(server.seen[0]?.headers.host).toBe(`hooks.test:${server.port}`);
  });

  it('requires https unless the destination is allow-listed', async () => {
    const dns = fakeDns({ 'public.example': ['93.184.216.34'] });
    const guard = createOutboundHttp({ allowList: parseAllowList('10.0.0.0/8:80'), resolve: dns.resolve });
    expect((await refusal(guard.request({ url: 'http://public.example/' }))).code).toBe('scheme_not_allowed');
    expect((await refusal(guard.request({ url: 'ftp://public.example/' }))).code).toBe('scheme_not_allowed');
    expect((await refusal(guard.request({ url: 'not a url' }))).code).toBe('invalid_url');
  });

  it('vets every redirect target and refuses one that leads to a private address', async () => {
    const dns = fakeDns({ 'internal.example': ['192.168.0.10'] });
    const guard = createOutboundHttp({ allowList: parseAllowList(`127.0.0.1:${server.port}`), resolve: dns.resolve });
    // A redirect back to loopback on another port (the Temporal UI, the store) is refused like any other.
    for (const location of ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/', 'https://internal.example/', 'http://[::ffff:a9fe:a9fe]/', 'http://127.0.0.1:8233/api/v1/namespaces', 'http://2130706433:7233/']) {
      answer = (_req, res) => res.writeHead(302, { location }).end();
      expect((await refusal(guard.request({ url: `http://127.0.0.1:${server.port}/start` }))).code).toBe('address_not_allowed');
    }
  });

  it('follows redirects by hand: method rules, credentials dropped across origins, at most five', async () => {
    answer = (req, res) => {
      if (req.url === '/303') res.writeHead(303, { location: '/final' }).end();
      else if (req.url === '/307') res.writeHead(307, { location: '/final' }).end();
      else if (req.url?.startsWith('/loop')) res.writeHead(302, { location: `/loop${(req.url.length % 7) + 1}` }).end();
      else res.end(`${req.method} ${req.url}`);
    };
    const base = `http://127.0.0.1:${server.port}`;
    const a = await open.request({ url: `${base}/303`, method: 'POST', body: 'x', headers: { authorization: 'secret' } });
    expect([a.status, a.body.toString(), a.redirects, a.url]).toEqual([200, 'GET /final', 1, `${base}/final`]);
    const b = await open.request({ url: `${base}/307`, method: 'POST', body: 'x' });
    expect(b.body.toString()).toBe('POST /final');
    expect(server.seen.at(-1)?.body).toBe('x');
    // Same origin keeps credentials; the guard strips them only when the origin changes.
    expect(server.seen[1]?.headers.authorization).toBe('secret');

    const kept = await open.request({ url: `${base}/303`, method: 'POST', redirect: 'preserve-method' });
    expect(kept.status).toBe(303);
    expect((await refusal(open.request({ url: `${base}/loop` }))).code).toBe('too_many_redirects');
  });

  it('drops credentials when a redirect changes origin', async () => {
    const other = await startServer((_req, res) => res.end('other'));
    try {
      answer = (_req, res) => res.writeHead(307, { location: `http://localhost:${other.port}/x` }).end();
      const guard = createOutboundHttp({ allowList: parseAllowList(`127.0.0.1:${server.port},localhost:${other.port}`) });
      const res = await guard.request({ url: `http://127.0.0.1:${server.port}/`, headers: { Authorization: 'Bearer t', cookie: 'c=1', 'x-keep': 'y' } });
      expect(res.body.toString()).toBe('other');
      expect(other.seen[0]?.headers).toMatchObject({ 'x-keep': 'y' });
      expect(other.seen[0]?.headers.authorization).toBeUndefined();
      expect(other.seen[0]?.headers.cookie).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('caps the response size and the time', async () => {
    answer = (_req, res) => res.end('x'.repeat(5000));
    expect((await refusal(open.request({ url: `http://127.0.0.1:${server.port}/`, maxResponseBytes: 1000 }))).code).toBe('response_too_large');
    answer = () => undefined; // never answers
    const started = Date.now();
    const err = await refusal(open.request({ url: `http://127.0.0.1:${server.port}/slow`, timeoutMs: 200 }));
    expect(err).toMatchObject({ code: 'timeout', retryable: true });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('times out a DNS lookup that never answers', async () => {
    const guard = createOutboundHttp({ allowList: parseAllowList(''), resolve: () => new Promise(() => undefined) });
    expect((await refusal(guard.request({ url: 'https://hang.example/', timeoutMs: 100 }))).code).toBe('timeout');
  });
});
