import type { Collection, CreateIndexesOptions, Document, Filter, IndexSpecification } from 'mongodb';
import type { CallDoc } from './types';

/**
 * The read indexes of `calls`, laid out so that each hot query meets exactly one index whose first
 * field it bounds. The embedded store (SecantusDB) plans a query among every such index, and when
 * there are two or more it tries them against each other first, copying up to 2,000 documents to
 * do so, on every query: a millisecond or more each time at 100,000 calls, whatever the answer's
 * size (docs/operations.md, "One index a query"). MongoDB picks the same plans either way.
 *
 * - The organisation's calls, newest first (`GET /v1/calls`, its total): partial on `created_at`
 *   existing, which every call has. A query that bounds `created_at` implies it (the listing's
 *   ranges always do; `listingFilter` adds the bound where a filter has none); a query by batch or
 *   by live calls does not, so this index does not compete for those.
 * - Live calls (`completed: false`: `?completed=false`, active/stop), partial on exactly that.
 * - A batch's calls lead with `batch_id` (an ID the server makes, unique across organisations);
 *   their queries still name the organisation, checked against each document.
 * - A carrier's call SID (hang-ups after a worker restart) leads with `provider_call_sid`.
 */
export const CALL_INDEXES: Array<{ key: IndexSpecification; options: CreateIndexesOptions }> = [
  { key: { org_id: 1, created_at: -1, _id: -1 }, options: { name: 'calls_by_org', partialFilterExpression: { created_at: { $exists: true } } } },
  { key: { completed: 1, org_id: 1, created_at: -1 }, options: { name: 'calls_live_by_org', partialFilterExpression: { completed: false } } },
  { key: { batch_id: 1, created_at: -1 }, options: { name: 'calls_by_batch' } },
  { key: { provider_call_sid: 1, org_id: 1 }, options: {} },
];

/** Indexes of earlier releases that CALL_INDEXES replaces: dropped once the new ones exist. */
export const REPLACED_CALL_INDEXES = [
  'org_id_1_created_at_-1',
  'org_id_1_completed_1_created_at_-1',
  'org_id_1_queue_status_1',
  'org_id_1_batch_id_1_created_at_-1',
  'org_id_1_batch_id_1',
];

/** MongoDB's "IndexNotFound". */
const INDEX_NOT_FOUND = 27;
/** MongoDB's "NotImplemented": a store without partial indexes (FerretDB 1) answers it to one. */
const NOT_IMPLEMENTED = 238;

/** A partial index, or on a store without them the same index whole (the queries stay exact). */
async function createIndex<T extends Document>(collection: Collection<T>, key: IndexSpecification, options: CreateIndexesOptions): Promise<void> {
  try {
    await collection.createIndex(key, options);
  } catch (err) {
    if ((err as { code?: unknown }).code !== NOT_IMPLEMENTED || !options.partialFilterExpression) throw err;
    const { partialFilterExpression: _, ...whole } = options;
    await collection.createIndex(key, whole);
  }
}

/** Creates `specs`, then drops each of `old` that is there. Idempotent, and safe to run twice at once. */
export async function replaceIndexes<T extends Document>(
  collection: Collection<T>,
  old: string[],
  specs: Array<{ key: IndexSpecification; options: CreateIndexesOptions }>,
): Promise<void> {
  for (const { key, options } of specs) await createIndex(collection, key, options);
  for (const name of old) {
    try {
      await collection.dropIndex(name);
    } catch (err) {
      if ((err as { code?: unknown }).code !== INDEX_NOT_FOUND) throw err;
    }
  }
}

/**
 * A listing filter as the calls' indexes serve it: one that bounds neither `created_at`, nor a
 * batch, nor live calls gets `created_at: {$exists: true}` (true of every call), so that the
 * organisation's partial index answers it instead of a scan of every organisation's calls.
 */
export function listingFilter(filter: Filter<CallDoc>): Filter<CallDoc> {
  if (filter.created_at !== undefined || filter.batch_id !== undefined || filter.completed === false) return filter;
  return { ...filter, created_at: { $exists: true } };
}
