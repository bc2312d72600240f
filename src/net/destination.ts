import { lookup } from 'node:dns/promises';
import type { AllowList } from './allow-list';
import { normaliseHost, urlPort } from './allow-list';
import { blockedReason, parseIp } from './ip-ranges';

/** The outbound guard's errors. `retryable` says whether trying again later could succeed. */
export type OutboundErrorCode =
  | 'invalid_url'
  | 'scheme_not_allowed'
  | 'address_not_allowed'
  | 'dns_failed'
  | 'timeout'
  | 'too_many_redirects'
  | 'response_too_large'
  | 'network';

const RETRYABLE: ReadonlySet<OutboundErrorCode> = new Set(['dns_failed', 'timeout', 'network']);

export class OutboundHttpError extends Error {
  override name = 'OutboundHttpError';
  readonly retryable: boolean;
  constructor(
    readonly code: OutboundErrorCode,
    message: string,
  ) {
    super(message);
    this.retryable = RETRYABLE.has(code);
  }
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** getaddrinfo, as the http module itself would resolve; injectable so tests can fake DNS answers. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/** A URL's origin and path, without credentials or query, for messages and events. */
export function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export function parseOutboundUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OutboundHttpError('invalid_url', 'not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new OutboundHttpError('scheme_not_allowed', `${url.protocol} URLs are not allowed; use https`);
  }
  return url;
}

const reservedError = (hostname: string, port: number) =>
  new OutboundHttpError('address_not_allowed', `${hostname}:${port} is one of this deployment's own services and is never reachable from a user-chosen URL`);

/**
 * Resolves the URL's host and decides whether it may be reached. Every address the name resolves
 * to must pass, so a name cannot smuggle a private address in beside a public one; the caller then
 * connects to the returned address and no other (no second lookup, so no DNS rebinding).
 */
export async function vetDestination(url: URL, allowList: AllowList, resolve: Resolver): Promise<ResolvedAddress> {
  const hostname = normaliseHost(url.hostname);
  const port = urlPort(url);
  const literal = parseIp(hostname);
  if (allowList.reserved(hostname, literal, port)) throw reservedError(hostname, port);
  let addresses: ResolvedAddress[];
  if (literal) {
    addresses = [{ address: hostname, family: literal.version }];
  } else {
    try {
      addresses = await resolve(hostname);
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'error';
      throw new OutboundHttpError('dns_failed', `cannot resolve ${hostname} (${code})`);
    }
    if (addresses.length === 0) throw new OutboundHttpError('dns_failed', `cannot resolve ${hostname} (no addresses)`);
  }

  let allListed = true;
  for (const a of addresses) {
    const ip = parseIp(a.address);
    if (!ip) throw new OutboundHttpError('address_not_allowed', `${hostname} resolved to an unparseable address`);
    if (allowList.reserved(hostname, ip, port)) throw reservedError(hostname, port);
    const listed = allowList.addressListed(hostname, ip, port);
    allListed &&= listed;
    const reason = blockedReason(ip);
    if (reason && !listed) {
      const shown = literal ? hostname : `${hostname} (${a.address})`;
      throw new OutboundHttpError('address_not_allowed', `${shown} is a ${reason} address and is not in OUTBOUND_ALLOWLIST`);
    }
  }
  if (url.protocol === 'http:' && !allowList.hostListed(hostname, port) && !allListed) {
    throw new OutboundHttpError('scheme_not_allowed', `plain http to ${hostname} is not allowed; use https (or list the host in OUTBOUND_ALLOWLIST)`);
  }
  return addresses[0]!;
}
