import type { Collection } from 'mongodb';
import { isDuplicateKeyError } from '../db/database';
import { RATE_LIMIT_WINDOW_MS } from './settings';
import type { StoreErrorReporter } from './store-errors';

export type RateLimitScope = 'auth_address' | 'auth_key' | 'org';
export type CounterName = 'failures' | 'requests' | 'work';
export type Counters = Partial<Record<CounterName, number>>;

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

export interface CounterTarget {
  scope: RateLimitScope;
  key: string;
  orgId?: string;
}

export interface Hit {
  /** The counters as they stood right after this hit was added. */
  counters: Counters;
  window: Window;
}

export interface WindowCounters {
  /** Adds `inc` to the current window's counters of `target` and answers their values after it. */
  hit(target: CounterTarget, inc: Counters, now?: number): Promise<Hit>;
}

interface Waiter {
  inc: Counters;
  resolve(hit: Hit): void;
  reject(err: unknown): void;
}

const NAMES: CounterName[] = ['failures', 'requests', 'work'];

/**
 * The store side of every limit. Each update is one atomic upsert with `$inc` (one round trip).
 * Within a process, hits on a window document arriving while its update is in flight wait and
 * go together as a single `$inc` of their sum, each answered with its own position: a burst
 * costs the store two updates rather than one per request, and a store whose concurrent updates
 * of one document can lose increments (FerretDB 1.x does) still counts one process exactly.
 * Windows of stores without TTL indexes are swept once a window per process.
 */
export function createWindowCounters(
  collection: Collection<RateLimitDoc>,
  reportStoreError: StoreErrorReporter,
  windowMs = RATE_LIMIT_WINDOW_MS,
): WindowCounters {
  const queues = new Map<string, Waiter[]>();
  let sweptWindow = -1;

  /** Two first upserts of a window racing on its `_id` can fail with E11000; then it exists, and a retry increments it. */
  async function upsert(id: string, target: CounterTarget, window: Window, inc: Counters): Promise<RateLimitDoc> {
    const update = {
      $inc: inc,
      $setOnInsert: { scope: target.scope, expires_at: new Date(window.endsAt), ...(target.orgId ? { org_id: target.orgId } : {}) },
    };
    // No projection: the document is a handful of fields, and FerretDB 1.x refuses one here.
    const run = () => collection.findOneAndUpdate({ _id: id }, update, { upsert: true, returnDocument: 'after' });
    let doc: RateLimitDoc | null;
    try {
      doc = await run();
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      doc = await run();
    }
    if (!doc) throw new Error(`rate-limit upsert of ${target.scope} answered no document`);
    return doc;
  }

  async function drain(id: string, target: CounterTarget, window: Window, queue: Waiter[]): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0);
      const total: Counters = {};
      for (const w of batch) for (const name of NAMES) if (w.inc[name]) total[name] = (total[name] ?? 0) + w.inc[name];
      try {
        const doc = await upsert(id, target, window, total);
        const after: Counters = { failures: doc.failures, requests: doc.requests, work: doc.work };
        // The last waiter sees the stored values; each earlier one, those values less the increments after it.
        for (const waiter of [...batch].reverse()) {
          waiter.resolve({ counters: { ...after }, window });
          for (const name of NAMES) {
            const added = waiter.inc[name];
            const value = after[name];
            if (added && value !== undefined) after[name] = value - added;
          }
        }
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    queues.delete(id);
  }

  function sweep(window: Window, now: number): void {
    if (window.index <= sweptWindow) return;
    sweptWindow = window.index;
    collection.deleteMany({ expires_at: { $lte: new Date(now) } }).catch((err: unknown) => reportStoreError(err, 'sweep'));
  }

  return {
    hit(target, inc, now = Date.now()) {
      const window = windowAt(now, windowMs);
      const id = `${target.scope}:${target.key}:${window.index}`;
      sweep(window, now);
      return new Promise<Hit>((resolve, reject) => {
        const queue = queues.get(id);
        if (queue) {
          queue.push({ inc, resolve, reject });
          return;
        }
        const fresh: Waiter[] = [{ inc, resolve, reject }];
        queues.set(id, fresh);
        void drain(id, target, window, fresh);
      });
    },
  };
}
