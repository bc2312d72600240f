import type { Collection, Document, Filter } from 'mongodb';

/**
 * A newest-first page of an organisation's documents on a store whose cost follows how many
 * documents an index range matches, whatever the `limit` (the embedded store; docs/operations.md,
 * "The embedded store"). The answer is exactly the plain query's; only the way to it changes.
 *
 * A range `created_at >= from` that holds the whole page (skip + limit documents) holds exactly the
 * page the whole range gives, since every document outside it is older than every one inside. So
 * the page is looked for first from where the same page began last time (its anchor), then in the
 * last minute, then in windows four times as long each (up to about half a year), then in all.
 */

/** One minute, then four times as long each time, up to about half a year. */
const PAGE_WINDOWS_MS = Array.from({ length: 10 }, (_, k) => 60_000 * 4 ** k);

/** Anchors kept per process; beyond this many, the oldest is forgotten (it only costs a longer search). */
const MAX_ANCHORS = 1_000;

/**
 * Where each recently read page began (the `created_at` of its last document), by the caller's key
 * (organisation, filter, skip, limit). A stale or lost anchor costs time, never correctness.
 */
export interface PageAnchors {
  get(key: string): Date | undefined;
  set(key: string, at: Date): void;
}

export function createPageAnchors(max = MAX_ANCHORS): PageAnchors {
  const anchors = new Map<string, Date>();
  return {
    get: (key) => anchors.get(key),
    set(key, at) {
      anchors.delete(key);
      anchors.set(key, at);
      if (anchors.size > max) anchors.delete(anchors.keys().next().value!);
    },
  };
}

interface Dated extends Document {
  created_at: Date;
}

/**
 * The page [skip, skip + limit) of `filter`, newest first. `filter` must not bound `created_at`, and
 * its fields followed by `created_at` should be an index, so that each range reads only itself.
 */
export async function newestPage<T extends Dated>(
  collection: Collection<T>,
  q: { filter: Filter<T>; skip: number; limit: number; now: number },
  anchors?: { cache: PageAnchors; key: string },
): Promise<T[]> {
  const page = (f: Filter<T>) => collection.find(f).sort({ created_at: -1 }).skip(q.skip).limit(q.limit).toArray() as Promise<T[]>;
  const since = (from: Date) => page({ ...q.filter, created_at: { $gte: from } } as Filter<T>);
  // A short page (the list's end) anchors nothing: no range shorter than the whole would hold it.
  const found = (docs: T[]) => {
    if (anchors && docs.length > 0 && docs.length === q.limit) anchors.cache.set(anchors.key, docs[docs.length - 1]!.created_at);
    return docs;
  };
  const anchor = anchors?.cache.get(anchors.key);
  if (anchor) {
    const docs = await since(anchor);
    if (docs.length === q.limit) return found(docs);
  }
  for (const windowMs of PAGE_WINDOWS_MS) {
    const docs = await since(new Date(q.now - windowMs));
    if (docs.length === q.limit) return found(docs);
  }
  return found(await page(q.filter));
}
