import crypto from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureEncryptionKey, MissingEncryptionKeyError, parseEncryptionKey } from '../../src/crypto/encryption-key';
import { createSecretBox, SecretBoxError } from '../../src/crypto/secret-box';
import { newWebhookSecret, signWebhookBody, verifyWebhookSignature } from '../../src/crypto/webhook-signature';

/** The seed's verifier (003, "Verifying a Webhook in Node.js"), verbatim apart from types. */
function seedVerifyWebhookSignature(key: string, data: string, signature: string) {
  const expectedSignature = crypto.createHmac('sha256', key).update(data).digest('hex');
  return expectedSignature === signature;
}

describe('webhook signatures', () => {
  const secret = newWebhookSecret();
  const payload = { call_id: 'c1', summary: 'Ünïcode ✓ "quoted"', analysis: { n: 3, ok: null }, nested: [1, { a: 'b' }] };
  const body = JSON.stringify(payload);

  it('is hex HMAC-SHA256 of the exact body, which the seed code verifies after a JSON round trip', () => {
    const signature = signWebhookBody(secret, body);
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(signature).toBe(crypto.createHmac('sha256', secret).update(body).digest('hex'));
    // The seed re-serialises the parsed body: our compact JSON.stringify output survives that unchanged.
    expect(seedVerifyWebhookSignature(secret, JSON.stringify(JSON.parse(body)), signature)).toBe(true);
    expect(verifyWebhookSignature(secret, body, signature)).toBe(true);
  });

  it('fails for another secret, another body, or a malformed signature', () => {
    const signature = signWebhookBody(secret, body);
    expect(verifyWebhookSignature(newWebhookSecret(), body, signature)).toBe(false);
    expect(verifyWebhookSignature(secret, `${body} `, signature)).toBe(false);
    expect(verifyWebhookSignature(secret, body, signature.slice(2))).toBe(false);
    expect(verifyWebhookSignature(secret, body, undefined)).toBe(false);
  });

  it('makes distinct, recognisable secrets', () => {
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(newWebhookSecret()).not.toBe(secret);
  });
});

describe('secrets at rest (AES-256-GCM)', () => {
  const key = crypto.randomBytes(32);
  const box = createSecretBox(key);

  it('round-trips, with a fresh IV each time', () => {
    const a = box.seal('whsec_abc', 'org:1');
    const b = box.seal('whsec_abc', 'org:1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('whsec_abc');
    expect(box.open(a, 'org:1')).toBe('whsec_abc');
  });

  it('refuses another context, another key, and any tampering', () => {
    const sealed = box.seal('secret', 'org:1');
    expect(() => box.open(sealed, 'org:2')).toThrow(SecretBoxError);
    expect(() => createSecretBox(crypto.randomBytes(32)).open(sealed, 'org:1')).toThrow(/another ENCRYPTION_KEY/);
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[4]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    parts[4] = flipped.toString('base64url');
    expect(() => box.open(parts.join('.'), 'org:1')).toThrow(/failed authentication/);
    expect(() => box.open('plaintext', 'org:1')).toThrow(/not a sealed secret/);
    expect(() => createSecretBox(Buffer.alloc(16))).toThrow(/32-byte key/);
  });
});

describe('ENCRYPTION_KEY', () => {
  it('accepts 32 bytes as hex or base64 and nothing else', () => {
    const raw = crypto.randomBytes(32);
    expect(parseEncryptionKey(raw.toString('hex'))).toEqual(raw);
    expect(parseEncryptionKey(raw.toString('base64'))).toEqual(raw);
    expect(parseEncryptionKey(raw.toString('base64url'))).toEqual(raw);
    for (const bad of ['', 'short', crypto.randomBytes(16).toString('hex'), crypto.randomBytes(48).toString('base64')]) {
      expect(() => parseEncryptionKey(bad)).toThrow(/32 bytes/);
    }
  });

  it('is generated once into the data folder outside production, and required in production', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sb-key-'));
    const settings = { env: 'development' as const, paths: { dataDir }, security: { encryptionKey: undefined } };
    const first = await ensureEncryptionKey(settings);
    expect(await ensureEncryptionKey(settings)).toEqual(first);
    expect((await stat(join(dataDir, 'encryption-key'))).mode & 0o777).toBe(0o600);
    expect(parseEncryptionKey(await readFile(join(dataDir, 'encryption-key'), 'utf8'))).toEqual(first);
    await expect(ensureEncryptionKey({ ...settings, env: 'production' })).rejects.toThrow(MissingEncryptionKeyError);
    const configured = crypto.randomBytes(32);
    expect(await ensureEncryptionKey({ ...settings, env: 'production', security: { encryptionKey: configured.toString('hex') } })).toEqual(configured);
  });
});
