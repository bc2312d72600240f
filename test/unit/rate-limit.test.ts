import { ConfigError, loadConfig } from '../../src/config';
import { presentedKeyDigest } from '../../src/rate-limit/auth-failures';
import { clientAddressBucket } from '../../src/rate-limit/client-address';
import { secondsUntil, windowAt } from '../../src/rate-limit/counters';
import { DEFAULT_RATE_LIMITS } from '../../src/rate-limit/settings';
import { storeErrorReporter } from '../../src/rate-limit/store-errors';
import type { Logger } from '../../src/logger';

describe('rate limits: pure parts', () => {
  it('counts IPv4 by address and IPv6 by its /64', () => {
    expect(clientAddressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressBucket('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(clientAddressBucket('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientAddressBucket('2001:DB8:0001:0002:ffff::9')).toBe('2001:db8:1:2::/64');
    expect(clientAddressBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddressBucket('1::2:3:4:5:6:7')).toBe('1:0:2:3::/64');
    expect(clientAddressBucket('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientAddressBucket('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressBucket('::')).toBe('0:0:0:0::/64');
    expect(clientAddressBucket('64:ff9b::192.0.2.33')).toBe('64:ff9b:0:0::/64');
    expect(clientAddressBucket(undefined)).toBe('unknown');
  });

  it('never keeps a raw key: a digest that is not the api_keys hash', () => {
    const d = presentedKeyDigest('sb_secret_key_value');
    expect(d).toMatch(/^[0-9a-f]{32}$/);
    expect(d).toBe(presentedKeyDigest('sb_secret_key_value'));
    expect(d).not.toBe(presentedKeyDigest('sb_secret_key_valuf'));
  });

  it('fixed one-minute windows and Retry-After in whole seconds, at least 1', () => {
    const start = 1_700_000_040_000; // a minute boundary
    expect(windowAt(start)).toEqual({ index: start / 60_000, endsAt: start + 60_000 });
    expect(windowAt(start + 59_999).index).toBe(start / 60_000);
    expect(windowAt(start + 60_000).index).toBe(start / 60_000 + 1);
    expect(secondsUntil(start + 60_000, start)).toBe(60);
    expect(secondsUntil(start + 60_000, start + 59_001)).toBe(1);
    expect(secondsUntil(start + 60_000, start + 59_999)).toBe(1);
    expect(secondsUntil(start + 60_000, start + 23_500)).toBe(37);
  });

  it('store failures are logged, never silently, and at most every 10 s', () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = { error: (obj: Record<string, unknown>) => lines.push(obj) } as unknown as Logger;
    let now = 0;
    const report = storeErrorReporter(logger, () => now);
    report(new Error('down'), 'org');
    now = 5_000;
    report(new Error('down'), 'org');
    report(new Error('down'), 'auth_address');
    now = 10_000;
    report(new Error('down'), 'org');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ scope: 'org', suppressedSinceLast: 0 });
    expect(lines[1]).toMatchObject({ scope: 'org', suppressedSinceLast: 2 });
  });

  it('config: documented defaults, 0 switches a limit off, anything else invalid stops start-up naming the variable', () => {
    expect(loadConfig({}).rateLimits).toEqual(DEFAULT_RATE_LIMITS);
    expect(DEFAULT_RATE_LIMITS).toEqual({ authFailuresPerAddress: 30, authFailuresPerKey: 10, workPerOrg: 120, requestsPerOrg: 3000 });
    expect(loadConfig({ RATE_LIMIT_CALLS_PER_MINUTE: '0', RATE_LIMIT_AUTH_FAILURES_PER_KEY_PER_MINUTE: '5' }).rateLimits).toEqual({
      ...DEFAULT_RATE_LIMITS,
      workPerOrg: 0,
      authFailuresPerKey: 5,
    });
    for (const bad of ['-1', '1.5', 'many']) {
      expect(() => loadConfig({ RATE_LIMIT_REQUESTS_PER_MINUTE: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ RATE_LIMIT_REQUESTS_PER_MINUTE: bad })).toThrow(/RATE_LIMIT_REQUESTS_PER_MINUTE/);
    }
  });
});
