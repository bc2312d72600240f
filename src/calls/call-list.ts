import type { Collection, Filter } from 'mongodb';
import { listingFilter } from '../db/call-indexes';
import { countMatching } from '../db/count';
import { newestPage, type PageAnchors } from '../db/newest-page';
import type { CallDoc } from '../db/types';

/**
 * GET /v1/calls on a store whose cost follows how many documents an index range matches, whatever
 * the `limit` (the embedded store; docs/operations.md, "The embedded store"). The count and the
 * page (src/db/newest-page.ts) are exactly what the plain queries give, reading only recent ranges
 * where they can.
 */

/** A call's document is written within this long of its `created_at` (in practice, milliseconds). */
export const SETTLED_AFTER_MS = 30_000;
/** The settled count is counted anew at most this long after it was last counted whole. */
export const RECOUNT_AFTER_MS = 3_600_000;

interface Settled {
  /** Calls created before this instant: no more of them will be written. */
  before: number;
  count: number;
  countedWholeAt: number;
}

export interface CallCounter {
  /** The organisation's number of calls: `countDocuments({org_id})`, without reading them all each time. */
  count(orgId: string): Promise<number>;
}

/**
 * Counts an organisation's calls as the settled ones (created over 30 s ago: counted once, then
 * carried forward by counting only the calls created since) plus the recent ones, counted each
 * time. Calls are never deleted once settled (a web session's rollback deletes its call at once),
 * and the whole count is taken again every hour in case a write came later than 30 s after its
 * `created_at`. Per process: each API process keeps its own.
 */
export function createCallCounter(calls: Collection<CallDoc>, clock: () => number = Date.now): CallCounter {
  const settled = new Map<string, Settled>();
  const updating = new Map<string, Promise<Settled>>();
  const countBetween = (orgId: string, from: number | null, to: number) =>
    countMatching(calls, { org_id: orgId, created_at: from === null ? { $lt: new Date(to) } : { $gte: new Date(from), $lt: new Date(to) } });

  async function update(orgId: string): Promise<Settled> {
    const now = clock();
    const before = now - SETTLED_AFTER_MS;
    const known = settled.get(orgId);
    let next: Settled;
    if (!known || now - known.countedWholeAt >= RECOUNT_AFTER_MS) {
      next = { before, count: await countBetween(orgId, null, before), countedWholeAt: now };
    } else if (before - known.before >= SETTLED_AFTER_MS / 2) {
      next = { ...known, before, count: known.count + (await countBetween(orgId, known.before, before)) };
    } else {
      return known;
    }
    settled.set(orgId, next);
    return next;
  }

  return {
    async count(orgId) {
      // One update an organisation at a time: two would count the same calls twice.
      let pending = updating.get(orgId);
      if (!pending) {
        pending = update(orgId).finally(() => updating.delete(orgId));
        updating.set(orgId, pending);
      }
      const { before, count } = await pending;
      return count + (await countMatching(calls, { org_id: orgId, created_at: { $gte: new Date(before) } }));
    },
  };
}

/**
 * GET /v1/calls' reads: the filter's total and one page of it. Without a filter beyond the
 * organisation, the total comes from the counter and a newest-first page from `newestPage` (whose
 * ranges the `{org_id, created_at}` index answers); any other total or page is the plain query,
 * which the filter's own index answers (src/db/call-indexes.ts).
 */
export async function listCalls(
  calls: Collection<CallDoc>,
  reads: { counter: CallCounter; anchors: PageAnchors },
  q: { orgId: string; filter: Filter<CallDoc>; skip: number; limit: number; ascending: boolean },
  now: number,
): Promise<{ total: number; docs: CallDoc[] }> {
  const unfiltered = Object.keys(q.filter).length === 1;
  const filter = listingFilter(q.filter);
  const page = () =>
    unfiltered && !q.ascending
      ? newestPage(calls, { filter: q.filter, skip: q.skip, limit: q.limit, now }, { cache: reads.anchors, key: `${q.orgId}|${q.skip}|${q.limit}` })
      : calls.find(filter).sort({ created_at: q.ascending ? 1 : -1 }).skip(q.skip).limit(q.limit).toArray();
  const [total, docs] = await Promise.all([unfiltered ? reads.counter.count(q.orgId) : countMatching(calls, filter), q.limit === 0 ? [] : page()]);
  return { total, docs };
}
