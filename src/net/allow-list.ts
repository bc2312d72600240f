import { cidrContains, embeddedIpv4, isMetadataAddress, parseCidr, parseIp, type Cidr, type IpAddress } from './ip-ranges';

/**
 * The operator's allow-list (OUTBOUND_ALLOWLIST): host names (`localhost`, `hooks.internal`,
 * `*.corp.example` for subdomains) and IP addresses or CIDR ranges (`127.0.0.1`, `10.0.0.0/8`,
 * `::1`, `fd00::/8`). A listed destination may be private and may use plain http.
 */
export interface AllowList {
  readonly entries: readonly string[];
  /** The URL's host is listed by name, or is an IP literal inside a listed range. */
  hostListed(hostname: string): boolean;
  /**
   * May this resolved address be reached for this host? A listed range always opens it; a listed
   * host name opens its addresses too, except cloud metadata, which only a listed IP or range opens.
   */
  addressListed(hostname: string, ip: IpAddress): boolean;
}

const HOST_LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** Lower case, no trailing dot, no IPv6 brackets: the one form names are compared in. */
export function normaliseHost(host: string): string {
  const h = host.trim().toLowerCase().replace(/\.$/, '');
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

function isHostName(entry: string): boolean {
  const name = entry.startsWith('*.') ? entry.slice(2) : entry;
  return name.length > 0 && name.length <= 253 && name.split('.').every((l) => HOST_LABEL.test(l));
}

export class AllowListError extends Error {
  override name = 'AllowListError';
}

/** Comma- or whitespace-separated; throws on an entry that is neither a host name nor an address/range. */
export function parseAllowList(text: string | readonly string[] | undefined): AllowList {
  const raw = typeof text === 'string' ? text.split(/[\s,]+/) : [...(text ?? [])];
  const entries = raw.map(normaliseHost).filter(Boolean);
  const cidrs: Cidr[] = [];
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const entry of entries) {
    const cidr = parseCidr(entry);
    if (cidr) cidrs.push(cidr);
    else if (!isHostName(entry)) throw new AllowListError(`not a host name, IP address or CIDR range: "${entry}"`);
    else if (entry.startsWith('*.')) suffixes.push(entry.slice(1));
    else exact.add(entry);
  }

  const inRange = (ip: IpAddress) => {
    const inner = embeddedIpv4(ip)?.ip;
    return cidrs.some((c) => cidrContains(c, ip) || (inner !== undefined && cidrContains(c, inner)));
  };
  const nameListed = (hostname: string) => {
    const h = normaliseHost(hostname);
    return exact.has(h) || suffixes.some((s) => h.endsWith(s));
  };
  return {
    entries,
    hostListed(hostname) {
      const ip = parseIp(normaliseHost(hostname));
      return ip ? inRange(ip) : nameListed(hostname);
    },
    addressListed(hostname, ip) {
      if (inRange(ip)) return true;
      return nameListed(hostname) && !isMetadataAddress(ip);
    },
  };
}
