import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAllowList } from '../../src/net/allow-list';
import { createOutboundHttp } from '../../src/net/outbound-http';
import { runDynamicData } from '../../src/dynamic-data/run';
import { validateDynamicData } from '../../src/dynamic-data/validate';

describe('dynamic_data', () => {
  let server: http.Server;
  let base = '';
  const seen: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/fail')) res.statusCode = 503;
      res.end(JSON.stringify({ echo: req.url, n: seen.length }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    ctx = { allowList: parseAllowList(`127.0.0.1:${(server.address() as AddressInfo).port}`) };
    outbound = createOutboundHttp({ allowList: ctx.allowList });
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => (seen.length = 0));
  let ctx: { allowList: ReturnType<typeof parseAllowList> };
  let outbound: ReturnType<typeof createOutboundHttp>;
  const valid = (raw: unknown) => {
    const v = validateDynamicData(raw, ctx);
    if (!v.ok) throw new Error(v.errors.join('; '));
    return v.requests;
  };

  it('chains variables from one request into the next and renders context', async () => {
    const out = await runDynamicData(
      outbound,
      valid([
        { url: `${base}/a`, query: { p: '{{phone_number}}' }, response_data: [{ name: 'first', data: '$.n' }] },
        { url: `${base}/b/{{first}}`, response_data: [{ name: 'second', data: '$.echo', context: 'Second saw {{second}} after {{first}}.' }] },
      ]),
      { phone_number: '+15550001111' },
    );
    expect(seen).toEqual(['/a?p=%2B15550001111', '/b/1']);
    expect(out.variables).toEqual({ first: 1, second: '/b/1' });
    expect(out.context).toEqual(['Second saw /b/1 after 1.']);
  });

  it('makes an identical cached request once, and repeats it with cache: false', async () => {
    const entry = { url: `${base}/same`, response_data: [{ name: 'n', data: '$.n' }] };
    const out = await runDynamicData(outbound, valid([entry, entry, { ...entry, cache: false }]), {});
    expect(seen).toEqual(['/same', '/same']);
    expect(out.runs.map((r) => r.cached)).toEqual([false, true, false]);
  });

  it('skips a failed request: no variables, a note for the agent, and the rest still run', async () => {
    const out = await runDynamicData(
      outbound,
      valid([{ url: `${base}/fail`, response_data: [{ name: 'x', data: '$.n', context: 'X is {{x}}' }] }, { url: `${base}/ok`, response_data: [{ name: 'y', data: '$.n' }] }]),
      {},
    );
    expect(out.runs[0]).toMatchObject({ ok: false, status: 503, error: 'HTTP 503' });
    expect(out.variables).toEqual({ y: 2 });
    expect(out.context).toEqual([expect.stringContaining('Information (x) could not be loaded from 127.0.0.1')]);
  });

  it('validates entries with their index', () => {
    const v = validateDynamicData([{ url: 'https://a.example.com', method: 'TRACE' }, 'x'], ctx);
    expect(v).toEqual({ ok: false, errors: ['dynamic_data[0].method must be one of GET, POST, PUT, PATCH, DELETE.', 'dynamic_data[1] must be an object.'] });
    expect(validateDynamicData(new Array(21).fill({ url: 'https://a.example.com' }), ctx).ok).toBe(false);
  });
});
