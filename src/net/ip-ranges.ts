import { isIP } from 'node:net';

/**
 * IP addresses as integers, CIDR ranges, and the ranges an outbound request must never reach by
 * default (DESIGN §10). Hand-rolled rather than net.BlockList so that IPv6 forms which embed an
 * IPv4 address (mapped, NAT64, 6to4) are judged by the IPv4 address they lead to.
 */

export interface IpAddress {
  version: 4 | 6;
  value: bigint;
}

export interface Cidr {
  version: 4 | 6;
  base: bigint;
  prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

function parseV6(s: string): bigint {
  let text = s;
  // A trailing dotted quad (::ffff:1.2.3.4) becomes two hex groups.
  if (text.includes('.')) {
    const cut = text.lastIndexOf(':') + 1;
    const [a = 0, b = 0, c = 0, d = 0] = text.slice(cut).split('.').map(Number);
    text = `${text.slice(0, cut)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Strict literal parsing (no octal or shorthand forms); brackets and an IPv6 zone are stripped. */
export function parseIp(text: string): IpAddress | null {
  let s = text.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const version = isIP(s);
  if (version === 4) return { version, value: s.split('.').reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n) };
  if (version === 6) return { version, value: parseV6(s) };
  return null;
}

export function parseCidr(text: string): Cidr | null {
  const [addr = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return null;
  const ip = parseIp(addr);
  if (!ip) return null;
  const bits = BITS[ip.version];
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return null;
  const shift = BigInt(bits - prefix);
  return { version: ip.version, base: (ip.value >> shift) << shift, prefix };
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.version !== ip.version) return false;
  const shift = BigInt(BITS[ip.version] - cidr.prefix);
  return ip.value >> shift === cidr.base >> shift;
}

const range = (text: string, reason: string) => ({ cidr: parseCidr(text)!, reason });

/** IANA special-purpose registries, trimmed to what must not be reachable from a webhook or tool. */
const BLOCKED = [
  range('0.0.0.0/8', 'this-network'),
  range('10.0.0.0/8', 'private'),
  range('100.64.0.0/10', 'carrier-grade NAT'),
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'link-local'),
  range('172.16.0.0/12', 'private'),
  range('192.0.0.0/24', 'IETF protocol assignments'),
  range('192.0.2.0/24', 'documentation'),
  range('192.88.99.0/24', '6to4 relay'),
  range('192.168.0.0/16', 'private'),
  range('198.18.0.0/15', 'benchmarking'),
  range('198.51.100.0/24', 'documentation'),
  range('203.0.113.0/24', 'documentation'),
  range('224.0.0.0/4', 'multicast'),
  range('240.0.0.0/4', 'reserved'),
  range('::/128', 'unspecified'),
  range('::1/128', 'loopback'),
  // IPv4-compatible addresses are deprecated; nothing legitimate uses them.
  range('::/96', 'IPv4-compatible'),
  range('64:ff9b:1::/48', 'local NAT64'),
  range('100::/64', 'discard'),
  range('2001::/32', 'Teredo'),
  range('2001:10::/28', 'ORCHID'),
  range('2001:20::/28', 'ORCHID'),
  range('2001:db8::/32', 'documentation'),
  range('3fff::/20', 'documentation'),
  range('fc00::/7', 'unique-local'),
  range('fe80::/10', 'link-local'),
  range('fec0::/10', 'site-local'),
  range('ff00::/8', 'multicast'),
];

/** Cloud metadata services: only an explicit IP or CIDR allow-list entry may open these. */
const METADATA = [parseCidr('169.254.169.254/32')!, parseCidr('fd00:ec2::254/128')!];

/** IPv6 ranges that carry an IPv4 address, and where it sits (bits from the right). */
const EMBEDDING = [
  { cidr: parseCidr('::ffff:0:0/96')!, shift: 0n, name: 'IPv4-mapped' },
  { cidr: parseCidr('::ffff:0:0:0/96')!, shift: 0n, name: 'IPv4-translated' },
  { cidr: parseCidr('64:ff9b::/96')!, shift: 0n, name: 'NAT64' },
  { cidr: parseCidr('2002::/16')!, shift: 80n, name: '6to4' },
];

/** The IPv4 address an IPv6 address leads to, if it is one of the embedding forms. */
export function embeddedIpv4(ip: IpAddress): { ip: IpAddress; form: string } | null {
  if (ip.version !== 6) return null;
  for (const e of EMBEDDING) {
    if (cidrContains(e.cidr, ip)) return { ip: { version: 4, value: (ip.value >> e.shift) & 0xffffffffn }, form: e.name };
  }
  return null;
}

/** Why this address is off limits, or null for an ordinary public address. */
export function blockedReason(ip: IpAddress): string | null {
  const inner = embeddedIpv4(ip);
  if (inner) {
    const reason = blockedReason(inner.ip);
    return reason ? `${reason} (${inner.form})` : null;
  }
  if (isMetadataAddress(ip)) return 'cloud metadata';
  return BLOCKED.find((b) => cidrContains(b.cidr, ip))?.reason ?? null;
}

export function isMetadataAddress(ip: IpAddress): boolean {
  const inner = embeddedIpv4(ip);
  return METADATA.some((m) => cidrContains(m, inner?.ip ?? ip));
}
