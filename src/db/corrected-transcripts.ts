import type { Collection } from 'mongodb';
import type { Database } from './database';

/** One segment of a corrected transcript, in the seed's shape plus the alignment behind `speaker`. */
export interface CorrectedSegmentDoc {
  start: number;
  end: number;
  text: string;
  /** 0 = the agent, 1 = the other party (Bland numbers speakers from 0, the agent first). */
  speaker: number;
  /** The transcript role of the line the segment matched best, and how well (cosine of word counts, 0..1). */
  role: 'assistant' | 'user';
  similarity: number;
}

/**
 * `corrected_transcripts`: one document per call (`_id` = call_id), written once by the
 * correct-<call_id> workflow: either the segments or, when transcription failed for good, why.
 * Readers look it up by `_id` and `org_id`, so no other index is needed.
 */
export interface CorrectedTranscriptDoc {
  _id: string;
  org_id: string;
  status: 'complete' | 'failed';
  segments: CorrectedSegmentDoc[];
  /** The transcription model, and what a stand-in said about itself (null for the real service). */
  model: string | null;
  note: string | null;
  error: string | null;
  created_at: Date;
}

export const correctedTranscripts = (db: Database): Collection<CorrectedTranscriptDoc> =>
  db.db.collection<CorrectedTranscriptDoc>('corrected_transcripts');
