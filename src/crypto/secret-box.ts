import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (DESIGN §10): AES-256-GCM with a random 96-bit IV per value. The `context` is
 * bound as additional authenticated data, so a sealed value copied to another record (another
 * organisation, another purpose) fails to open instead of decrypting somewhere it does not belong.
 *
 * Sealed form: `v1.<key id>.<iv>.<tag>.<ciphertext>`, base64url. The key id (a hash prefix of the
 * key, not the key) lets a wrong ENCRYPTION_KEY be reported as such rather than as tampering.
 */
export interface SecretBox {
  readonly keyId: string;
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

const b64 = (b: Buffer) => b.toString('base64url');

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('switchboard-key-id').update(key).digest('base64url').slice(0, 8);
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new SecretBoxError(`AES-256-GCM needs a 32-byte key, got ${key.length} bytes`);
  const keyId = keyIdOf(key);
  return {
    keyId,
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', keyId, b64(iv), b64(cipher.getAuthTag()), b64(ciphertext)].join('.');
    },
    open(sealed, context) {
      const [version, kid, iv, tag, ciphertext, ...rest] = sealed.split('.');
      if (version !== 'v1' || !kid || !iv || !tag || ciphertext === undefined || rest.length > 0) {
        throw new SecretBoxError('not a sealed secret');
      }
      if (kid !== keyId) throw new SecretBoxError(`sealed with another ENCRYPTION_KEY (key id ${kid}, current ${keyId})`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('sealed secret failed authentication (tampered, or sealed for another record)');
      }
    },
  };
}
