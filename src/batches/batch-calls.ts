import type { Database } from '../db/database';
import { callTranscripts } from '../db/final-transcript';
import type { CallDoc, TranscriptDoc } from '../db/types';
import { batchCallProjection, type DetailOptions } from '../presenters/batch';

/**
 * What GET /v1/batches/{id} reads of a batch's calls: the fields it shows or analyses (not whole
 * documents), in row order, and their lines when transcripts are shown. Each call holds only the
 * fields of `batchCallProjection`: what `batchDetail` reads of it.
 */
export async function readBatchCalls(db: Database, orgId: string, batchId: string, opts: DetailOptions): Promise<{ calls: CallDoc[]; lines: Map<string, TranscriptDoc[]> }> {
  const projection = batchCallProjection(opts);
  const calls = (await db.collections.calls.find({ org_id: orgId, batch_id: batchId }, { projection }).toArray()).sort((a, b) => (a.batch_row ?? 0) - (b.batch_row ?? 0));
  // Finished calls' lines from their final transcripts; only the others' from `transcripts`.
  const lines = opts.includeCalls && opts.includeTranscripts ? await callTranscripts(db, orgId, calls.map((c) => c.call_id)) : new Map<string, TranscriptDoc[]>();
  return { calls, lines };
}
