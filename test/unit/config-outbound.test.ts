import { ConfigError, loadConfig } from '../../src/config';

describe('config: outbound HTTP and secrets at rest', () => {
  it('allows loopback by default only in development', () => {
    expect(loadConfig({}).outbound).toEqual({ allowList: ['localhost', '127.0.0.1', '::1'], maxResponseBytes: 1_048_576, webhookTimeoutMs: 10_000 });
    expect(loadConfig({ NODE_ENV: 'production' }).outbound.allowList).toEqual([]);
    expect(loadConfig({ NODE_ENV: 'test' }).outbound.allowList).toEqual([]);
    // Set but empty: nothing private, even in development.
    expect(loadConfig({ OUTBOUND_ALLOWLIST: '' }).outbound.allowList).toEqual([]);
    expect(loadConfig({ OUTBOUND_ALLOWLIST: 'Hooks.Internal., 10.0.0.0/8' }).outbound.allowList).toEqual(['hooks.internal', '10.0.0.0/8']);
  });

  it('fails fast on a bad allow-list entry, key or timeout', () => {
    expect(() => loadConfig({ OUTBOUND_ALLOWLIST: 'https://x' })).toThrow(ConfigError);
    expect(() => loadConfig({ OUTBOUND_ALLOWLIST: 'https://x' })).toThrow(/OUTBOUND_ALLOWLIST: not a host name/);
    expect(() => loadConfig({ ENCRYPTION_KEY: 'too-short' })).toThrow(/ENCRYPTION_KEY: must be 32 bytes/);
    expect(() => loadConfig({ WEBHOOK_TIMEOUT_MS: '60000' })).toThrow(/WEBHOOK_TIMEOUT_MS/);
  });

  it('keeps a valid ENCRYPTION_KEY as given', () => {
    const key = 'a'.repeat(64);
    expect(loadConfig({ ENCRYPTION_KEY: key }).security).toEqual({ encryptionKey: key });
    expect(loadConfig({}).security).toEqual({ encryptionKey: undefined });
  });
});
