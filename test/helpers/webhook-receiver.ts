import crypto from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';

/** The seed's verifier (003, "Verifying a Webhook in Node.js"), as a customer would copy it. */
export function verifyWebhookSignature(key: string, data: string, signature: string | undefined): boolean {
  const expectedSignature = crypto.createHmac('sha256', key).update(data).digest('hex');
  return expectedSignature === signature;
}

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: Record<string, any>;
  /** The seed's check: HMAC of JSON.stringify(req.body), as its Express example does it. */
  verifiedAsSeed: (secret: string) => boolean;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  at(path: string): ReceivedWebhook[];
  /** Status codes to answer at a path, in order; the last one repeats. Default 200. */
  respond(path: string, statuses: number[]): void;
  close(): Promise<void>;
}

/** A customer's webhook endpoint on 127.0.0.1 (port 0), written the way the seed's tutorial writes it. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const plans = new Map<string, number[]>();
  const app = express();
  app.use(express.json({ verify: (req, _res, buf) => ((req as unknown as { raw: string }).raw = buf.toString('utf8')) }));
  app.post(/.*/, (req, res) => {
    const body = req.body as Record<string, any>;
    received.push({
      path: req.path,
      headers: req.headers,
      raw: (req as unknown as { raw: string }).raw,
      body,
      verifiedAsSeed: (secret) => verifyWebhookSignature(secret, JSON.stringify(body), req.get('x-webhook-signature')),
    });
    const plan = plans.get(req.path) ?? [200];
    const status = plan.length > 1 ? plan.shift()! : plan[0]!;
    res.status(status).send(status < 300 ? 'Webhook received' : 'Nope');
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    at: (path) => received.filter((r) => r.path === path),
    respond: (path, statuses) => plans.set(path, [...statuses]),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
