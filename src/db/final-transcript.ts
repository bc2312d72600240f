import { insertOnce } from './call-events';
import type { Database } from './database';
import type { FinalTranscriptLine, TranscriptDoc } from './types';

/** A call's lines as its final record keeps them, in order. */
export function finalTranscriptLines(callId: string, lines: ReadonlyArray<{ seq: number; user: TranscriptDoc['user']; text: string; at: string }>): FinalTranscriptLine[] {
  return [...lines].sort((a, b) => a.seq - b.seq).map((l) => ({ _id: `${callId}:${l.seq}`, seq: l.seq, user: l.user, text: l.text, created_at: new Date(l.at) }));
}

/** A stored line as its call's final transcript keeps it. */
export const asFinalLine = ({ _id, seq, user, text, created_at }: TranscriptDoc): FinalTranscriptLine => ({ _id, seq, user, text, created_at });

/** Keeps a finished call's whole transcript in one document. Written once: a retry's duplicate (the same lines) is ignored. */
export function keepFinalTranscript(db: Database, orgId: string, callId: string, lines: FinalTranscriptLine[]): Promise<void> {
  return insertOnce(db.collections.finalTranscripts, [{ _id: callId, org_id: orgId, lines }]);
}

/**
 * The transcripts of an organisation's calls, by call ID, each in order: a finished call's from its
 * final transcript (one document a call), any other's (live calls, and calls that ended before final
 * transcripts were kept) from `transcripts`, `chunk` calls a query. A batch of 100 finished calls is
 * then 100 documents to read, not 1,200 (docs/operations.md, "One index a hot query").
 */
export async function callTranscripts(db: Database, orgId: string, callIds: readonly string[], chunk = 500): Promise<Map<string, TranscriptDoc[]>> {
  const byCall = new Map<string, TranscriptDoc[]>();
  for (let i = 0; i < callIds.length; i += chunk) {
    const ids = callIds.slice(i, i + chunk);
    for (const f of await db.collections.finalTranscripts.find({ _id: { $in: ids }, org_id: orgId }).toArray()) {
      byCall.set(f._id, f.lines.map((l) => ({ ...l, org_id: orgId, call_id: f._id })));
    }
    const stored = ids.filter((id) => !byCall.has(id));
    if (stored.length === 0) continue;
    // Sorted here, call by call: a store asked to sort lines of many calls at once may sort them all.
    for (const t of await db.collections.transcripts.find({ org_id: orgId, call_id: { $in: stored } }).toArray()) {
      const own = byCall.get(t.call_id);
      if (own) own.push(t);
      else byCall.set(t.call_id, [t]);
    }
    for (const id of stored) byCall.get(id)?.sort((a, b) => a.seq - b.seq);
  }
  return byCall;
}
