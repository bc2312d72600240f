import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { TWILIO_WEBHOOK_BASE_PATH } from '../../src/telephony/webhook-urls';
import { badRequest } from '../errors';

/**
 * A turn whose reply is not ready within TURN_HOLD_MS is answered with a hold (src/telephony/twiml.ts
 * `holdTwiml`): the carrier, which waits about 15 s for a webhook's answer before dropping the line,
 * comes back to `turn-wait` for the same update's result instead. A burst of callers answered at once
 * then waits a little longer for its first words rather than losing the line. After MAX_TURN_HOLDS
 * the line is hung up.
 */
export const TURN_HOLD_MS = 10_000;
export const MAX_TURN_HOLDS = 5;

/** The update's identity, chosen here so that `turn-wait` can find its result. */
export const newTurnId = (): string => randomUUID();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function turnWaitUrl(baseUrl: string, callId: string, updateId: string, holds: number): string {
  const url = new URL(`${TWILIO_WEBHOOK_BASE_PATH}/turn-wait`, baseUrl);
  url.searchParams.set('call_id', callId);
  url.searchParams.set('update_id', updateId);
  url.searchParams.set('holds', String(holds));
  return url.toString();
}

/** `turn-wait`'s own query (inside the signed URL): which update, and how many holds so far. */
export function turnWaitQuery(req: Request): { updateId: string; holds: number } {
  const updateId = typeof req.query.update_id === 'string' ? req.query.update_id : '';
  const holds = typeof req.query.holds === 'string' && /^[1-9]$/.test(req.query.holds) ? Number(req.query.holds) : 0;
  if (!UUID.test(updateId) || holds < 1 || holds > MAX_TURN_HOLDS) throw badRequest(['update_id or holds is missing or malformed.']);
  return { updateId, holds };
}

const HELD = Symbol('held');

/** The turn's reply, or HELD when it is not ready in time (the turn goes on; its result is fetched later). */
export async function withinHold<T>(turn: Promise<T>, holdMs: number): Promise<T | typeof HELD> {
  // A turn that fails after the hold was answered is the next `turn-wait`'s to report.
  turn.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const held = new Promise<typeof HELD>((resolve) => {
    timer = setTimeout(() => resolve(HELD), Math.max(0, holdMs));
  });
  try {
    return await Promise.race([turn, held]);
  } finally {
    clearTimeout(timer);
  }
}

export const isHeld = (r: unknown): r is typeof HELD => r === HELD;
