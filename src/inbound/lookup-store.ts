import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database';
import type { Logger } from '../logger';
import type { InboundNumberDoc } from '../numbers/types';
import type { LookupCsv } from './csv';
import { lookupRowId, type InboundLookupDoc, type InboundLookupRowDoc } from './types';

const INSERT_CHUNK = 1_000;

export interface LookupUrlSettings {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** What changing a lookup source needs: the store, and a logger for rows it could not remove. */
export interface LookupStoreDeps {
  db: Database;
  logger: Logger;
}

/**
 * Replaces a number's lookup source with a CSV, as one change: the new rows are written under a
 * new version first, then the number's lookup document is pointed at that version, then the old
 * version's rows are removed. A failure before the switch removes the new rows and leaves the
 * old source in place; rows a failure leaves behind are never read (no document points at them).
 */
export async function replaceWithCsv(deps: LookupStoreDeps, number: InboundNumberDoc, csv: LookupCsv, bytes: number): Promise<InboundLookupDoc> {
  const { inboundLookupRows: rows } = deps.db.collections;
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
    await dropRows(deps, version, 'the upload failed');
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
    previous = await switchTo(deps.db, head);
  } catch (err) {
    await dropRows(deps, version, 'the switch to them failed');
    throw err;
  }
  await dropRowsOf(deps, previous);
  return head;
}

/** Makes a URL the number's lookup source (a CSV it had is removed). */
export async function replaceWithUrl(deps: LookupStoreDeps, number: InboundNumberDoc, settings: LookupUrlSettings): Promise<InboundLookupDoc> {
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
  await dropRowsOf(deps, await switchTo(deps.db, head));
  return head;
}

/** Removes the number's lookup source; false when it had none. */
export async function removeLookup(deps: LookupStoreDeps, number: InboundNumberDoc): Promise<boolean> {
  const previous = await deps.db.collections.inboundLookups.findOneAndDelete({ _id: number._id });
  await dropRowsOf(deps, previous);
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

/** A replaced CSV's rows are gone once nothing points at them. */
async function dropRowsOf(deps: LookupStoreDeps, previous: InboundLookupDoc | null): Promise<void> {
  if (previous?.source === 'csv' && previous.version) await dropRows(deps, previous.version, 'their source was replaced');
}

/**
 * Removes one version's rows. Nothing points at them, so if that fails they are unread garbage,
 * not wrong data, and the change that dropped them stands: the failure is logged, not raised.
 */
async function dropRows(deps: LookupStoreDeps, version: string, why: string): Promise<void> {
  try {
    await deps.db.collections.inboundLookupRows.deleteMany({ version });
  } catch (err) {
    deps.logger.warn({ err, version }, `lookup rows left behind (${why}): they are never read`);
  }
}
