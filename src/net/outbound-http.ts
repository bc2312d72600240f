import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { AllowList } from './allow-list';
import {
  OutboundHttpError,
  parseOutboundUrl,
  systemResolver,
  vetDestination,
  type ResolvedAddress,
  type Resolver,
} from './destination';

/**
 * The one way the product makes HTTP requests to addresses its users choose (webhooks now; tools,
 * dynamic_data and KB URLs later). Every hop is vetted (scheme, DNS, address ranges), the socket is
 * pinned to the vetted address, redirects are followed by hand so each target is vetted too, and
 * the whole exchange is bounded in time and in response size.
 */

export interface OutboundRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** For the whole exchange, redirects included. */
  timeoutMs?: number;
  maxResponseBytes?: number;
  /**
   * `follow` (default): as fetch does, 301/302 turn a POST into a GET and 303 always does.
   * `preserve-method`: only 307/308 are followed; any other redirect is returned as the response.
   * `manual`: redirects are returned as responses.
   */
  redirect?: 'follow' | 'preserve-method' | 'manual';
}

export interface OutboundResponse {
  status: number;
  statusText: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
  redirects: number;
}

export interface OutboundHttp {
  request(req: OutboundRequest): Promise<OutboundResponse>;
}

export interface OutboundHttpOptions {
  allowList: AllowList;
  resolve?: Resolver;
  timeoutMs?: number;
  maxResponseBytes?: number;
  maxRedirects?: number;
  userAgent?: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/** Hands the socket the address that was vetted, whatever the name resolves to by now. */
function pinnedLookup(to: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: to.address, family: to.family }]);
    else callback(null, to.address, to.family);
  };
}

interface Hop {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
}

function send(hop: Hop, to: ResolvedAddress, signal: AbortSignal, maxBytes: number): Promise<Omit<OutboundResponse, 'url' | 'redirects'>> {
  const transport = hop.url.protocol === 'https:' ? https : http;
  const headers = { ...hop.headers, ...(hop.body !== undefined ? { 'content-length': String(Buffer.byteLength(hop.body)) } : {}) };
  return new Promise((resolve, reject) => {
    const req = transport.request(
      {
        protocol: hop.url.protocol,
        hostname: hop.url.hostname.replace(/^\[|\]$/g, ''),
        port: hop.url.port || undefined,
        path: `${hop.url.pathname}${hop.url.search}`,
        method: hop.method,
        headers,
        auth: hop.url.username ? `${decodeURIComponent(hop.url.username)}:${decodeURIComponent(hop.url.password)}` : undefined,
        lookup: pinnedLookup(to),
        // A pooled socket could outlive the vetting of the address it is connected to.
        agent: false,
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) res.destroy(new OutboundHttpError('response_too_large', `response is larger than ${maxBytes} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(hop.body);
  });
}

/** The next hop of a redirect, or null when this response is the answer. */
function nextHop(hop: Hop, status: number, location: string | undefined, mode: OutboundRequest['redirect']): Hop | null {
  if (mode === 'manual' || !REDIRECTS.has(status) || !location) return null;
  const keepsMethod = status === 307 || status === 308;
  if (mode === 'preserve-method' && !keepsMethod) return null;
  const url = parseOutboundUrl(new URL(location, hop.url).toString());
  const toGet = !keepsMethod && (status === 303 ? hop.method !== 'HEAD' : hop.method === 'POST');
  const headers = { ...hop.headers };
  if (toGet) for (const h of Object.keys(headers)) if (/^content-/i.test(h)) delete headers[h];
  // Credentials meant for one origin are not handed to another.
  if (url.origin !== hop.url.origin) for (const h of Object.keys(headers)) if (CREDENTIAL_HEADERS.includes(h.toLowerCase())) delete headers[h];
  return { url, method: toGet ? 'GET' : hop.method, headers, body: toGet ? undefined : hop.body };
}

const withoutHost = (headers: Record<string, string> = {}) =>
  Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'host'));

export function createOutboundHttp(opts: OutboundHttpOptions): OutboundHttp {
  const resolve = opts.resolve ?? systemResolver;
  const maxRedirects = opts.maxRedirects ?? 5;

  async function exchange(req: OutboundRequest, signal: AbortSignal): Promise<OutboundResponse> {
    const maxBytes = req.maxResponseBytes ?? opts.maxResponseBytes ?? 1_048_576;
    let hop: Hop | null = {
      url: parseOutboundUrl(req.url),
      method: (req.method ?? 'GET').toUpperCase(),
      // Host follows the URL: a caller-supplied one could point a pinned socket at another virtual host.
      headers: { 'user-agent': opts.userAgent ?? 'Switchboard/1.0', ...withoutHost(req.headers) },
      body: req.body,
    };
    for (let redirects = 0; ; redirects++) {
      const to = await vetDestination(hop.url, opts.allowList, resolve);
      signal.throwIfAborted();
      const res = await send(hop, to, signal, maxBytes);
      const location = typeof res.headers.location === 'string' ? res.headers.location : undefined;
      const next = nextHop(hop, res.status, location, req.redirect ?? 'follow');
      if (!next) return { ...res, url: hop.url.toString(), redirects };
      if (redirects >= maxRedirects) throw new OutboundHttpError('too_many_redirects', `more than ${maxRedirects} redirects`);
      hop = next;
    }
  }

  return {
    async request(req) {
      const timeoutMs = req.timeoutMs ?? opts.timeoutMs ?? 10_000;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      // DNS cannot be cancelled; the race makes the deadline hold for it too.
      const deadline = new Promise<never>((_, reject) =>
        controller.signal.addEventListener('abort', () => reject(new OutboundHttpError('timeout', `no response within ${timeoutMs} ms`))),
      );
      try {
        return await Promise.race([exchange(req, controller.signal), deadline]);
      } catch (err) {
        if (err instanceof OutboundHttpError) throw err;
        if (controller.signal.aborted) throw new OutboundHttpError('timeout', `no response within ${timeoutMs} ms`);
        const code = (err as { code?: string }).code;
        throw new OutboundHttpError('network', `${code ?? 'request failed'}: ${(err as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
