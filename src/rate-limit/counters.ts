import type { Collection } from 'mongodb';
import { isDuplicateKeyError } from '../db/database';
import { RATE_LIMIT_WINDOW_MS } from './settings';

export type RateLimitScope = 'auth_address' | 'auth_key' | 'org';
export type CounterName = 'failures' | 'requests' | 'work';

/**
 * One fixed window of one limited thing: `_id` is `<scope>:<key>:<window index>`, so a window is a
 * single document that every API process increments. `expires_at` (the window's end) drives the
 * TTL index that deletes it.
 */
export interface RateLimitDoc {
  _id: string;
  scope: RateLimitScope;
  /** Set on organisation windows (every document that concerns an org carries it). */
  org_id?: string;
  failures?: number;
  requests?: number;
  work?: number;
  expires_at: Date;
}

export interface Window {
  index: number;
  /** Epoch ms at which the window ends and its counters start again from zero. */
  endsAt: number;
}

export function windowAt(now: number, windowMs = RATE_LIMIT_WINDOW_MS): Window {
  const index = Math.floor(now / windowMs);
  return { index, endsAt: (index + 1) * windowMs };
}

/** Whole seconds until the window ends, at least 1: the value of a `Retry-After` header. */
export function secondsUntil(endsAt: number, now: number): number {
  return Math.max(1, Math.ceil((endsAt - now) / 1000));
}

export interface Hit {
  counters: Partial<Record<CounterName, number>>;
  window: Window;
}

/**
 * Adds `inc` to the current window's counters and answers their new values, in one atomic upsert
 * (one store round trip). Two first hits of a window racing on the same `_id` can make one upsert
 * fail with E11000; the document then exists, so the single retry is a plain increment.
 */
export async function hitWindow(
  collection: Collection<RateLimitDoc>,
  target: { scope: RateLimitScope; key: string; orgId?: string },
  inc: Partial<Record<CounterName, number>>,
  now: number,
  windowMs = RATE_LIMIT_WINDOW_MS,
): Promise<Hit> {
  const window = windowAt(now, windowMs);
  const id = `${target.scope}:${target.key}:${window.index}`;
  const update = {
    $inc: inc,
    $setOnInsert: { scope: target.scope, expires_at: new Date(window.endsAt), ...(target.orgId ? { org_id: target.orgId } : {}) },
  };
  const run = () =>
    collection.findOneAndUpdate({ _id: id }, update, {
      upsert: true,
      returnDocument: 'after',
      projection: { failures: 1, requests: 1, work: 1 },
    });
  let doc: RateLimitDoc | null;
  try {
    doc = await run();
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    doc = await run();
  }
  if (!doc) throw new Error(`rate-limit upsert of ${target.scope} answered no document`);
  return { counters: { failures: doc.failures, requests: doc.requests, work: doc.work }, window };
}
