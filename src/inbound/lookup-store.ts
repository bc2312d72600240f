import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database';
import type { InboundNumberDoc } from '../numbers/types';
import type { LookupCsv } from './csv';
import { lookupRowId, type InboundLookupDoc, type InboundLookupRowDoc } from './types';

const INSERT_CHUNK = 1_000;

export interface LookupUrlSettings {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/**
 * Replaces a number's lookup source with a CSV, as one change: the new rows are written under a
 * new version first, then the number's lookup document is pointed at that version, then the old
 * version's rows are removed. A failure before the switch removes the new rows and leaves the
 * old source in place; rows a failure leaves behind are never read (no document points at them).
 */
export async function replaceWithCsv(db: Database, number: InboundNumberDoc, csv: LookupCsv, bytes: number): Promise<InboundLookupDoc> {
  const { inboundLookupRows: rows } = db.collections;
  const version = randomUUID();
  const docs: InboundLookupRowDoc[] = [...csv.rows].map(([key, values]) => ({
    _id: lookupRowId(version, key),
    org_id: number.org_id,
    phone_number: number._id,
    version,
    values,
  }));
  try {
    for (let i = 0; i < docs.length; i += INSERT_CHUNK) await rows.insertMany(docs.slice(i, i + INSERT_CHUNK), { ordered: true });
  } catch (err) {
    await rows.deleteMany({ version }).catch(() => undefined);
    throw err;
  }
  const head: InboundLookupDoc = {
    _id: number._id,
    org_id: number.org_id,
    number_created_at: number.created_at,
    source: 'csv',
    version,
    key_column: csv.keyColumn,
    columns: csv.columns,
    rows: csv.rows.size,
    bytes,
    updated_at: new Date(),
  };
  let previous: InboundLookupDoc | null;
  try {
    previous = await switchTo(db, head);
  } catch (err) {
    await rows.deleteMany({ version }).catch(() => undefined);
    throw err;
  }
  await dropRowsOf(db, previous);
  return head;
}

/** Makes a URL the number's lookup source (a CSV it had is removed). */
export async function replaceWithUrl(db: Database, number: InboundNumberDoc, settings: LookupUrlSettings): Promise<InboundLookupDoc> {
  const head: InboundLookupDoc = {
    _id: number._id,
    org_id: number.org_id,
    number_created_at: number.created_at,
    source: 'url',
    url: settings.url,
    headers: settings.headers,
    timeout_ms: settings.timeoutMs,
    updated_at: new Date(),
  };
  await dropRowsOf(db, await switchTo(db, head));
  return head;
}

/** Removes the number's lookup source; false when it had none. */
export async function removeLookup(db: Database, number: InboundNumberDoc): Promise<boolean> {
  const previous = await db.collections.inboundLookups.findOneAndDelete({ _id: number._id });
  await dropRowsOf(db, previous);
  return previous !== null && isCurrent(previous, number);
}

/** The number's lookup source, if it was set for this number as it is now (same organisation, not deleted since). */
export async function readLookup(db: Database, number: InboundNumberDoc): Promise<InboundLookupDoc | null> {
  const head = await db.collections.inboundLookups.findOne({ _id: number._id });
  return head && isCurrent(head, number) ? head : null;
}

/** The CSV row for a key, by exact match. */
export async function findCsvRow(db: Database, head: InboundLookupDoc, key: string): Promise<Record<string, string> | null> {
  if (head.source !== 'csv' || !head.version) return null;
  const row = await db.collections.inboundLookupRows.findOne({ _id: lookupRowId(head.version, key) });
  return row && row.org_id === head.org_id ? row.values : null;
}

function isCurrent(head: InboundLookupDoc, number: InboundNumberDoc): boolean {
  return head.org_id === number.org_id && head.number_created_at.getTime() === number.created_at.getTime();
}

/** Points the number at its new source; answers the one it replaced. */
async function switchTo(db: Database, head: InboundLookupDoc): Promise<InboundLookupDoc | null> {
  return db.collections.inboundLookups.findOneAndReplace({ _id: head._id }, head, { upsert: true, returnDocument: 'before' });
}

/** A replaced CSV's rows are gone once nothing points at them; if removing them fails, they are unread garbage, not wrong data. */
async function dropRowsOf(db: Database, previous: InboundLookupDoc | null): Promise<void> {
  if (previous?.source === 'csv' && previous.version) await db.collections.inboundLookupRows.deleteMany({ version: previous.version }).catch(() => undefined);
}
