import { parseAllowList, AllowListError } from '../../src/net/allow-list';
import { blockedReason, embeddedIpv4, parseCidr, parseIp } from '../../src/net/ip-ranges';

const reason = (text: string) => {
  const ip = parseIp(text);
  if (!ip) throw new Error(`not an IP: ${text}`);
  return blockedReason(ip);
};

describe('blocked address ranges', () => {
  it.each([
    ['0.0.0.0', 'this-network'],
    ['10.1.2.3', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.255', 'loopback'],
    ['169.254.1.1', 'link-local'],
    ['169.254.169.254', 'cloud metadata'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['192.0.0.170', 'IETF protocol assignments'],
    ['198.18.0.1', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['2001:0:4136:e378::1', 'Teredo'],
    ['::127.0.0.1', 'IPv4-compatible'],
    ['[::1]', 'loopback'],
  ])('%s is %s', (ip, why) => {
    expect(reason(ip)).toBe(why);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback (IPv4-mapped)'],
    ['::ffff:7f00:1', 'loopback (IPv4-mapped)'],
    ['::ffff:10.0.0.1', 'private (IPv4-mapped)'],
    ['::ffff:169.254.169.254', 'cloud metadata (IPv4-mapped)'],
    ['::ffff:0:192.168.0.1', 'private (IPv4-translated)'],
    ['64:ff9b::7f00:1', 'loopback (NAT64)'],
    ['64:ff9b::a9fe:a9fe', 'cloud metadata (NAT64)'],
    ['2002:7f00:1::', 'loopback (6to4)'],
    ['2002:c0a8:101::1', 'private (6to4)'],
  ])('IPv6 form %s is judged by its IPv4 address: %s', (ip, why) => {
    expect(reason(ip)).toBe(why);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '169.255.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])(
    '%s is public',
    (ip) => {
      expect(reason(ip)).toBeNull();
    },
  );

  it('parses only strict literals', () => {
    for (const bad of ['127.1', '0x7f.0.0.1', '017700000001', '127.0.0.01', '1.2.3.256', 'localhost', '::g', '']) {
      expect(parseIp(bad)).toBeNull();
    }
    expect(parseIp('1:2:3:4:5:6:7:8')?.value).toBe(0x00010002000300040005000600070008n);
    expect(parseIp('1::8')?.value).toBe(0x00010000000000000000000000000008n);
    expect(embeddedIpv4(parseIp('::ffff:1.2.3.4')!)?.ip.value).toBe(0x01020304n);
  });

  it('parses CIDR ranges and rejects bad ones', () => {
    expect(parseCidr('10.1.2.3/8')).toEqual({ version: 4, base: 0x0a000000n, prefix: 8 });
    expect(parseCidr('fd00::/8')?.prefix).toBe(8);
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/8/8', '10.0.0.0/-1', 'x/8']) expect(parseCidr(bad)).toBeNull();
  });
});

describe('the operator allow-list', () => {
  const list = parseAllowList('localhost:8080, 127.0.0.1:9000 10.0.0.0/8:443,*.corp.example:*,[fd00::/8]:443');
  const ip = (s: string) => parseIp(s)!;

  it('normalises and keeps its entries, each with its port', () => {
    expect(list.entries).toEqual(['localhost:8080', '127.0.0.1:9000', '10.0.0.0/8:443', '*.corp.example:*', '[fd00::/8]:443']);
    expect(parseAllowList('Hooks.Internal.:443').entries).toEqual(['hooks.internal:443']);
    expect(parseAllowList('').entries).toEqual([]);
    expect(parseAllowList(undefined).entries).toEqual([]);
  });

  it('lists hosts by name, subdomain wildcard and IP literal, on the listed port only', () => {
    expect(list.hostListed('LOCALHOST.', 8080)).toBe(true);
    expect(list.hostListed('localhost', 8233)).toBe(false);
    expect(list.hostListed('hooks.corp.example', 1)).toBe(true);
    expect(list.hostListed('corp.example', 443)).toBe(false);
    expect(list.hostListed('evilcorp.example', 443)).toBe(false);
    expect(list.hostListed('10.9.8.7', 443)).toBe(true);
    expect(list.hostListed('10.9.8.7', 80)).toBe(false);
    expect(list.hostListed('11.0.0.1', 443)).toBe(false);
    expect(list.hostListed('[fd00::5]', 443)).toBe(true);
  });

  it('opens addresses by range, or through a listed name except cloud metadata, on the listed port only', () => {
    expect(list.addressListed('anything', ip('10.1.1.1'), 443)).toBe(true);
    expect(list.addressListed('anything', ip('10.1.1.1'), 27017)).toBe(false);
    expect(list.addressListed('anything', ip('::ffff:10.1.1.1'), 443)).toBe(true);
    expect(list.addressListed('anything', ip('192.168.1.1'), 443)).toBe(false);
    expect(list.addressListed('hooks.corp.example', ip('192.168.1.1'), 443)).toBe(true);
    expect(list.addressListed('hooks.corp.example', ip('169.254.169.254'), 80)).toBe(false);
    expect(list.addressListed('x', ip('127.0.0.1'), 9000)).toBe(true);
    expect(list.addressListed('x', ip('127.0.0.1'), 7233)).toBe(false);
    expect(parseAllowList('169.254.169.254:80').addressListed('x', ip('169.254.169.254'), 80)).toBe(true);
  });

  it('refuses entries without a port, or that are neither names nor addresses', () => {
    for (const bad of ['localhost', '127.0.0.1', '10.0.0.0/8', '::1', '[::1]', 'http://x', 'a b/c:80', '10.0.0.0/99:80', '-bad.example:80', 'x..y:80', 'x:0', 'x:65536', 'x:80a']) {
      expect(() => parseAllowList(bad)).toThrow(AllowListError);
    }
    expect(() => parseAllowList('localhost')).toThrow(/names no port/);
  });

  it('closes the deployment\'s own services whatever the list says', () => {
    const open = parseAllowList('127.0.0.1:*,localhost:*,[::1]:*', {
      reserved: [{ host: '127.0.0.1', port: 7233 }, { host: '0.0.0.0', port: 3000 }, { host: 'temporal', port: 7233 }, { host: '10.0.0.5', port: 27017 }],
    });
    expect(open.addressListed('x', ip('127.0.0.1'), 7233)).toBe(false);
    expect(open.reserved('x', ip('127.0.0.2'), 7233)).toBe(true);
    expect(open.reserved('x', ip('::1'), 3000)).toBe(true);
    expect(open.reserved('x', ip('::ffff:127.0.0.1'), 3000)).toBe(true);
    expect(open.reserved('localhost', null, 3000)).toBe(true);
    expect(open.reserved('temporal', null, 7233)).toBe(true);
    expect(open.reserved('x', ip('10.0.0.5'), 27017)).toBe(true);
    expect(open.reserved('x', ip('10.0.0.6'), 27017)).toBe(false);
    expect(open.reserved('x', ip('127.0.0.1'), 9000)).toBe(false);
    expect(open.addressListed('x', ip('127.0.0.1'), 9000)).toBe(true);
  });
});
