import type { CallDoc, FinalTranscriptLine, TranscriptDoc } from './types';
import type { Collection } from 'mongodb';

/** A call's lines as its final record keeps them on the call's document, in order. */
export function finalTranscriptLines(callId: string, lines: ReadonlyArray<{ seq: number; user: TranscriptDoc['user']; text: string; at: string }>): FinalTranscriptLine[] {
  return [...lines].sort((a, b) => a.seq - b.seq).map((l) => ({ _id: `${callId}:${l.seq}`, seq: l.seq, user: l.user, text: l.text, created_at: new Date(l.at) }));
}

const asDoc = (call: Pick<CallDoc, 'org_id' | 'call_id'>, l: FinalTranscriptLine): TranscriptDoc => ({ ...l, org_id: call.org_id, call_id: call.call_id });

/**
 * The transcripts of finished calls, by call ID, each in order: from the call's own document where
 * its final record kept them, and from `transcripts` (one query for all the others, `chunk` calls
 * at a time) for live calls and calls that ended before lines were kept on the document.
 */
export async function callTranscripts(
  transcripts: Collection<TranscriptDoc>,
  orgId: string,
  calls: ReadonlyArray<Pick<CallDoc, 'org_id' | 'call_id' | 'transcript_lines'>>,
  chunk = 500,
): Promise<Map<string, TranscriptDoc[]>> {
  const byCall = new Map<string, TranscriptDoc[]>();
  const stored: string[] = [];
  for (const c of calls) {
    if (c.transcript_lines) byCall.set(c.call_id, c.transcript_lines.map((l) => asDoc(c, l)));
    else stored.push(c.call_id);
  }
  for (let i = 0; i < stored.length; i += chunk) {
    // Sorted here, call by call: a store asked to sort lines of many calls at once may sort them all (docs/operations.md).
    for (const t of await transcripts.find({ org_id: orgId, call_id: { $in: stored.slice(i, i + chunk) } }).toArray()) {
      const own = byCall.get(t.call_id);
      if (own) own.push(t);
      else byCall.set(t.call_id, [t]);
    }
  }
  for (const id of stored) byCall.get(id)?.sort((a, b) => a.seq - b.seq);
  return byCall;
}
