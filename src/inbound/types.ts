import type { Collection } from 'mongodb';
import { ensureTtlIndex } from '../db/ttl-index';

/**
 * An inbound session (seed 000): data an organisation ties to a coming call on one of its
 * numbers. `_id` is the SHA-256 of the token, so the store never holds a usable token and a call
 * finds its session with one `_id` read.
 */
export interface InboundSessionDoc {
  _id: string;
  org_id: string;
  /** The organisation's inbound number (E.164) the token is good for. */
  phone_number: string;
  request_data: Record<string, unknown>;
  voice: string | null;
  created_at: Date;
  expires_at: Date;
}

/**
 * A number's lookup source (seed 002): a CSV, or a URL asked on each call. `_id` is the number.
 * A CSV's rows are in `inbound_lookup_rows` under `version`; replacing the CSV writes a new
 * version's rows first and then points this document at it, so a call sees the old rows or the
 * new ones, never a mix.
 */
export interface InboundLookupDoc {
  _id: string;
  org_id: string;
  /** The number's `created_at` when the source was set: a number deleted and added again starts without it. */
  number_created_at: Date;
  source: 'csv' | 'url';
  /** csv: the rows' version, the key column's name, the variable columns, the row count and size. */
  version?: string;
  key_column?: string;
  columns?: string[];
  rows?: number;
  bytes?: number;
  /** url: asked with `?lookup_key=…&phone_number=…`; headers stored as given, shown masked. */
  url?: string;
  headers?: Record<string, string>;
  timeout_ms?: number;
  updated_at: Date;
}

/** One CSV row: `_id` is `<version>:<key>`, so the lookup is one `_id` read and a key is unique within a CSV. */
export interface InboundLookupRowDoc {
  _id: string;
  org_id: string;
  phone_number: string;
  version: string;
  values: Record<string, string>;
}

export const lookupRowId = (version: string, key: string): string => `${version}:${key}`;

export async function ensureInboundIndexes(sessions: Collection<InboundSessionDoc>, rows: Collection<InboundLookupRowDoc>): Promise<void> {
  await Promise.all([
    // On a store without TTL indexes, an expiry check on every read stands in.
    ensureTtlIndex(sessions),
    // Removing a replaced CSV's rows.
    rows.createIndex({ version: 1 }),
  ]);
}
