import { setTimeout as sleep } from 'node:timers/promises';
import type { Collection } from 'mongodb';
import { isDuplicateKeyError } from '../db/database';
import type { DialSlotDoc } from './types';

/** Where each organisation's next free slot probably is, so a reservation rarely probes taken slots. */
const hints = new Map<string, number>();
/** Slots older than this many seconds are deleted now and then. */
const KEEP_SECONDS = 60;

/**
 * A wait up to this long is slept where the slots were reserved, not by a workflow timer. Temporal
 * fires no timer sooner than about a second after it was set (its history service schedules timer
 * tasks at least `history.timerProcessorMaxTimeShift`, 1 s by default, ahead), so a batch that
 * waited 40 ms for its next group's slots by a timer waited a whole second.
 */
export const SHORT_WAIT_MAX_MS = 1000;

/**
 * Reserves `count` dial slots for an organisation at `perSecond`, shared by all of its batches and
 * workers. Slot n of an organisation is the document `<org>:<n>`, claimed by inserting it: the
 * unique `_id` makes the claim atomic, which FerretDB (no transactions, and no compare-and-set
 * between concurrent updates) gives for inserts only. Returns how long to wait so that the last
 * reserved slot's time has come: the rate is never exceeded.
 */
export async function reserveDialSlots(
  slots: Collection<DialSlotDoc>,
  orgId: string,
  count: number,
  perSecond: number,
  now = Date.now(),
): Promise<{ waitMs: number }> {
  const slotMs = 1000 / perSecond;
  const nowSlot = Math.floor(now / slotMs);
  let slot = Math.max(nowSlot, hints.get(orgId) ?? 0);
  let last = slot;
  for (let claimed = 0; claimed < count; slot++) {
    try {
      await slots.insertOne({ _id: `${orgId}:${slot}`, org_id: orgId, slot });
      claimed += 1;
      last = slot;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }
  hints.set(orgId, last + 1);
  if (last % 100 === 0) await slots.deleteMany({ org_id: orgId, slot: { $lt: nowSlot - KEEP_SECONDS * perSecond } });
  return { waitMs: Math.max(0, Math.round(last * slotMs - now)) };
}

/**
 * Reserves like `reserveDialSlots`, then sleeps a short wait here (see SHORT_WAIT_MAX_MS). Returns
 * the wait still due, 0 unless it was too long to sleep through.
 */
export async function reserveDialSlotsAndWaitShort(
  slots: Collection<DialSlotDoc>,
  orgId: string,
  count: number,
  perSecond: number,
): Promise<{ waitMs: number }> {
  const reservedAt = Date.now();
  const { waitMs } = await reserveDialSlots(slots, orgId, count, perSecond, reservedAt);
  if (waitMs > SHORT_WAIT_MAX_MS) return { waitMs: Math.max(0, reservedAt + waitMs - Date.now()) };
  const left = reservedAt + waitMs - Date.now();
  if (left > 0) await sleep(left);
  return { waitMs: 0 };
}
