import { cidrContains, embeddedIpv4, isMetadataAddress, parseCidr, parseIp, type Cidr, type IpAddress } from './ip-ranges';

/**
 * The operator's allow-list (OUTBOUND_ALLOWLIST). Every entry names a host *and* a port, so opening
 * one local service never opens its neighbours (the Temporal UI, the store, the simulator):
 * `localhost:8080`, `hooks.internal:443`, `*.corp.example:443`, `127.0.0.1:9000`, `10.0.0.0/8:443`,
 * `[::1]:8080`, `[fd00::/8]:443`; `:*` opens every port of that host and must be written out.
 * A listed destination may be private and may use plain http.
 *
 * Separately, the deployment's own services (reserved) are refused whatever the list says.
 */
export interface AllowList {
  readonly entries: readonly string[];
  /** The URL's host is listed by name, or is an IP literal inside a listed range, for this port. */
  hostListed(hostname: string, port: number): boolean;
  /**
   * May this resolved address be reached for this host and port? A listed range always opens it; a
   * listed host name opens its addresses too, except cloud metadata, which only a listed IP or range opens.
   */
  addressListed(hostname: string, ip: IpAddress, port: number): boolean;
  /** Is this one of the deployment's own services (Temporal, its UI, the store, the simulator, the offline model, the API)? */
  reserved(hostname: string, ip: IpAddress | null, port: number): boolean;
}

/** A service of the deployment itself: never a destination for a user-chosen URL. */
export interface ReservedEndpoint {
  host: string;
  port: number;
}

const HOST_LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
const ANY_PORT = -1;

/** Lower case, no trailing dot, no IPv6 brackets: the one form names are compared in. */
export function normaliseHost(host: string): string {
  const h = host.trim().toLowerCase().replace(/\.$/, '');
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/** The port a URL connects to: its own, or its scheme's default. */
export function urlPort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'http:' ? 80 : 443;
}

function isHostName(entry: string): boolean {
  const name = entry.startsWith('*.') ? entry.slice(2) : entry;
  return name.length > 0 && name.length <= 253 && name.split('.').every((l) => HOST_LABEL.test(l));
}

export class AllowListError extends Error {
  override name = 'AllowListError';
}

/** `host:port`, `[v6]:port` or `[v6/prefix]:port`, with `*` for every port; throws with the reason otherwise. */
function splitEntry(entry: string): { host: string; port: number } {
  let host: string;
  let portText: string;
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    if (close < 0 || entry[close + 1] !== ':') throw new AllowListError(`"${entry}" names no port: write [address]:port, e.g. [::1]:8080`);
    host = entry.slice(1, close);
    portText = entry.slice(close + 2);
  } else {
    const colons = entry.split(':').length - 1;
    if (colons === 0) throw new AllowListError(`"${entry}" names no port: write host:port (e.g. ${entry}:8080), or host:* for every port`);
    if (colons > 1 && parseCidr(entry)) throw new AllowListError(`"${entry}": write IPv6 addresses in brackets with a port, e.g. [::1]:8080`);
    if (colons > 1) throw new AllowListError(`not a host name, IP address or CIDR range with a port: "${entry}"`);
    const cut = entry.lastIndexOf(':');
    host = entry.slice(0, cut);
    portText = entry.slice(cut + 1);
  }
  if (portText === '*') return { host, port: ANY_PORT };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new AllowListError(`"${entry}": the port must be 1-65535 or *`);
  return { host, port };
}

interface Entry {
  port: number;
  cidr?: Cidr;
  exact?: string;
  suffix?: string;
}

const portMatches = (e: Entry, port: number) => e.port === ANY_PORT || e.port === port;

const LOOPBACK = [parseCidr('127.0.0.0/8')!, parseCidr('::1/128')!, parseCidr('0.0.0.0/32')!, parseCidr('::/128')!];

/** Loopback or unspecified: what a service bound on this machine answers to. */
function isLocal(ip: IpAddress): boolean {
  const inner = embeddedIpv4(ip)?.ip ?? ip;
  return LOOPBACK.some((c) => cidrContains(c, inner));
}

function reservedMatcher(list: readonly ReservedEndpoint[]) {
  const parsed = list.map((r) => {
    const host = normaliseHost(r.host);
    const ip = parseIp(host);
    return { port: r.port, host, ip, local: host === 'localhost' || (ip !== null && isLocal(ip)) };
  });
  return (hostname: string, ip: IpAddress | null, port: number): boolean => {
    const h = normaliseHost(hostname);
    return parsed.some((r) => {
      if (r.port !== port) return false;
      if (r.host === h) return true;
      if (!ip) return r.local && h === 'localhost';
      if (r.local) return isLocal(ip);
      const inner = embeddedIpv4(ip)?.ip ?? ip;
      return r.ip !== null && r.ip.version === inner.version && r.ip.value === inner.value;
    });
  };
}

/** Comma- or whitespace-separated; throws on an entry that is not host:port with a host name, address or range. */
export function parseAllowList(text: string | readonly string[] | undefined, opts: { reserved?: readonly ReservedEndpoint[] } = {}): AllowList {
  const raw = typeof text === 'string' ? text.split(/[\s,]+/) : [...(text ?? [])];
  const entries: string[] = [];
  const parsed: Entry[] = [];
  for (const item of raw.map((r) => r.trim().toLowerCase()).filter(Boolean)) {
    const { host: rawHost, port } = splitEntry(item);
    const host = normaliseHost(rawHost);
    const cidr = parseCidr(host);
    if (cidr) parsed.push({ port, cidr });
    else if (!isHostName(host)) throw new AllowListError(`not a host name, IP address or CIDR range: "${item}"`);
    else if (host.startsWith('*.')) parsed.push({ port, suffix: host.slice(1) });
    else parsed.push({ port, exact: host });
    const portText = port === ANY_PORT ? '*' : String(port);
    entries.push(host.includes(':') ? `[${host}]:${portText}` : `${host}:${portText}`);
  }

  const inRange = (ip: IpAddress, port: number) => {
    const inner = embeddedIpv4(ip)?.ip;
    return parsed.some((e) => e.cidr && portMatches(e, port) && (cidrContains(e.cidr, ip) || (inner !== undefined && cidrContains(e.cidr, inner))));
  };
  const nameListed = (hostname: string, port: number) => {
    const h = normaliseHost(hostname);
    return parsed.some((e) => portMatches(e, port) && (e.exact === h || (e.suffix !== undefined && h.endsWith(e.suffix))));
  };
  const reserved = reservedMatcher(opts.reserved ?? []);
  return {
    entries,
    hostListed(hostname, port) {
      const ip = parseIp(normaliseHost(hostname));
      return ip ? inRange(ip, port) : nameListed(hostname, port);
    },
    addressListed(hostname, ip, port) {
      if (reserved(hostname, ip, port)) return false;
      if (inRange(ip, port)) return true;
      return nameListed(hostname, port) && !isMetadataAddress(ip);
    },
    reserved,
  };
}
