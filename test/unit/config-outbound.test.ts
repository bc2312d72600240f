import { ConfigError, loadConfig } from '../../src/config';

describe('config: outbound HTTP and secrets at rest', () => {
  it('allows nothing private by default, in development too', () => {
    expect(loadConfig({}).outbound).toEqual({ allowList: [], maxResponseBytes: 1_048_576, webhookTimeoutMs: 10_000 });
    expect(loadConfig({ NODE_ENV: 'production' }).outbound.allowList).toEqual([]);
    expect(loadConfig({ NODE_ENV: 'test' }).outbound.allowList).toEqual([]);
    expect(loadConfig({ OUTBOUND_ALLOWLIST: 'Hooks.Internal.:443, 10.0.0.0/8:*,[::1]:8080' }).outbound.allowList).toEqual([
      'hooks.internal:443', '10.0.0.0/8:*', '[::1]:8080',
    ]);
  });

  it('fails fast on a bad allow-list entry, key or timeout', () => {
    expect(() => loadConfig({ OUTBOUND_ALLOWLIST: 'https://x' })).toThrow(ConfigError);
    expect(() => loadConfig({ OUTBOUND_ALLOWLIST: 'https://x:443' })).toThrow(/OUTBOUND_ALLOWLIST: not a host name/);
    expect(() => loadConfig({ OUTBOUND_ALLOWLIST: '::1' })).toThrow(/in brackets/);
    expect(() => loadConfig({ OUTBOUND_ALLOWLIST: 'localhost' })).toThrow(/OUTBOUND_ALLOWLIST: "localhost" names no port/);
    expect(() => loadConfig({ ENCRYPTION_KEY: 'too-short' })).toThrow(/ENCRYPTION_KEY: must be 32 bytes/);
    expect(() => loadConfig({ WEBHOOK_TIMEOUT_MS: '60000' })).toThrow(/WEBHOOK_TIMEOUT_MS/);
  });

  it('keeps a valid ENCRYPTION_KEY as given', () => {
    const key = 'a'.repeat(64);
    expect(loadConfig({ ENCRYPTION_KEY: key }).security).toEqual({ encryptionKey: key });
    expect(loadConfig({}).security).toEqual({ encryptionKey: undefined });
  });
});
