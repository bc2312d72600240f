import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** ENCRYPTION_KEY: 32 bytes as 64 hex characters or as base64 / base64url. */
export function parseEncryptionKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t)
    ? Buffer.from(t, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(t)
      ? Buffer.from(t, 'base64url')
      : null;
  if (!key || key.length !== 32) {
    throw new Error('must be 32 bytes: 64 hex characters, or base64 (e.g. `openssl rand -base64 32`)');
  }
  return key;
}

export function isValidEncryptionKey(text: string): boolean {
  try {
    parseEncryptionKey(text);
    return true;
  } catch {
    return false;
  }
}

export interface EncryptionKeySettings {
  env: 'development' | 'production' | 'test';
  paths: { dataDir: string };
  security: { encryptionKey: string | undefined };
}

export class MissingEncryptionKeyError extends Error {
  override name = 'MissingEncryptionKeyError';
}

/**
 * The key that seals secrets at rest. Configured: that key. In production it must be configured,
 * since a generated one would be lost with the container. Otherwise (npm start, local runs) one is
 * generated once and kept in the data folder (mode 0600), like the default API key, so that
 * secrets sealed yesterday still open today.
 */
export async function ensureEncryptionKey(settings: EncryptionKeySettings): Promise<Buffer> {
  if (settings.security.encryptionKey) return parseEncryptionKey(settings.security.encryptionKey);
  if (settings.env === 'production') {
    throw new MissingEncryptionKeyError(
      'ENCRYPTION_KEY is required in production (32 bytes, hex or base64: `openssl rand -base64 32`)',
    );
  }
  const file = join(settings.paths.dataDir, 'encryption-key');
  await mkdir(settings.paths.dataDir, { recursive: true });
  try {
    // 'wx': when two roles start at once, the first write wins and the other reads it.
    await writeFile(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err;
  }
  return parseEncryptionKey(await readFile(file, 'utf8'));
}
