import { createHash, randomBytes } from 'node:crypto';

/** Bland's form: 16 URL-safe characters and `-gen-batch`. */
export const newBatchId = (): string => `${randomBytes(12).toString('base64url')}-gen-batch`;

/**
 * A row's call ID is derived from the batch and the row, so the child workflow ID (`call-<call_id>`)
 * is the same on every attempt to start it: a crashed or replayed batch can never dial a row twice.
 * It is shaped like a UUID so that it reads like every other call ID.
 */
export function rowCallId(batchId: string, index: number): string {
  const h = createHash('sha256').update(`${batchId}:${index}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Rows per `batch_rows` document: few documents for FerretDB, each well under MongoDB's 16 MB. */
export const ROWS_PER_CHUNK = 500;

export const rowChunkId = (batchId: string, chunk: number): string => `${batchId}:${String(chunk).padStart(6, '0')}`;
