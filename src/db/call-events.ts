import { randomUUID } from 'node:crypto';
import type { Collection, OptionalUnlessRequiredId } from 'mongodb';
import { isDuplicateKeyError, type Database } from './database';
import type { CallDoc, EventCategory, EventLevel } from './types';

export interface NewCallEvent {
  level: EventLevel;
  category: EventCategory;
  message: string;
  /** ISO time the event happened, when it is written later than that (batched turn records). */
  at?: string;
}

export async function appendCallEvents(
  db: Database,
  orgId: string,
  callId: string,
  events: NewCallEvent[],
  at: Date = new Date(),
): Promise<void> {
  if (events.length === 0) return;
  await db.collections.callEvents.insertMany(
    events.map((e, i) => ({
      _id: randomUUID(),
      org_id: orgId,
      call_id: callId,
      ...e,
      // Keep the order of events written together even when they share a millisecond.
      timestamp: new Date(at.getTime() + i),
    })),
  );
}

/**
 * FerretDB v1.24 on SQLite (the former embedded store, still `EMBEDDED_MONGO=ferretdb`) runs every query as a scan: a bare `{_id}` filter is
 * pushed down to SQLite as `WHERE doc->'$._id' = ?`, which does not match the expression of its own
 * `_id` index, so SQLite walks the table in C (~5 µs a row); any other filter, `{_id, org_id}` or
 * `{org_id, call_id}` included, ships every document to Go to be matched there (~60 µs a row).
 * Updates and upserts pay that scan twice. An insert only probes the unique `_id` index. So the
 * worker's hot writes insert with deterministic IDs (a retried insert is a duplicate, ignored), and
 * address call documents by bare `_id` after checking the organisation once per process.
 * Measured with bench/read-model.ts; see docs/operations.md.
 */

/** Inserts documents with deterministic `_id`s; those already there (an activity retry) are kept as they are. */
export async function insertOnce<T extends { _id: string }>(collection: Collection<T>, docs: NoInfer<T>[]): Promise<void> {
  if (docs.length === 0) return;
  try {
    await collection.insertMany(docs as OptionalUnlessRequiredId<T>[], { ordered: false });
  } catch (err) {
    const writeErrors = (err as { writeErrors?: Array<{ code?: number }> | { code?: number } }).writeErrors;
    const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
    if (list.length === 0 && !isDuplicateKeyError(err)) throw err;
    if (list.some((e) => e.code !== 11000)) throw err;
  }
}

/** The call, read by bare `_id`, if it belongs to the organisation; null otherwise. */
export async function findOwnedCall(db: Database, orgId: string, callId: string): Promise<CallDoc | null> {
  const call = await db.collections.calls.findOne({ _id: callId });
  if (!call || call.org_id !== orgId) return null;
  remember(callId, orgId);
  return call;
}

/** A call's org_id never changes, so a positive ownership check is remembered for the life of the process. */
const owned = new Map<string, string>();
const OWNED_MAX = 50_000;

function remember(callId: string, orgId: string): void {
  if (owned.has(callId)) return;
  if (owned.size >= OWNED_MAX) owned.delete(owned.keys().next().value!);
  owned.set(callId, orgId);
}

export async function callBelongsTo(db: Database, orgId: string, callId: string): Promise<boolean> {
  if (owned.get(callId) === orgId) return true;
  const doc = await db.collections.calls.findOne({ _id: callId }, { projection: { org_id: 1 } });
  if (!doc || doc.org_id !== orgId) return false;
  remember(callId, orgId);
  return true;
}
