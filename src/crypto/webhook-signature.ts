import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signing as the seed's tutorial describes it: HMAC-SHA256 over the exact body bytes,
 * hex, in `X-Webhook-Signature`, keyed with the organisation's signing secret (the whole string,
 * UTF-8). No timestamp is signed, since the seed's verifier would reject a signature that had one.
 */
export const WEBHOOK_SIGNATURE_HEADER = 'X-Webhook-Signature';

export function signWebhookBody(secret: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** Constant-time comparison; for our own tests and for anyone who copies it. */
export function verifyWebhookSignature(secret: string, body: string | Buffer, signature: string | undefined): boolean {
  if (!signature || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  return timingSafeEqual(Buffer.from(signWebhookBody(secret, body), 'hex'), Buffer.from(signature, 'hex'));
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('hex')}`;
}
