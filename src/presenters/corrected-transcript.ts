import { z } from 'zod';
import type { CorrectedTranscriptDoc } from '../db/corrected-transcripts';

export const CorrectedSegmentSchema = z.object({
  start: z.number().describe('Seconds from the start of the recording'),
  end: z.number().describe('Seconds from the start of the recording'),
  text: z.string().describe('What the transcription heard in this stretch of the recording'),
  speaker: z.number().int().describe('0 for the agent, 1 for the other party'),
});

export const AlignedSegmentSchema = CorrectedSegmentSchema.extend({
  speaker: z.enum(['assistant', 'user']).describe("The role of the call's transcript line this segment matched"),
  similarity: z.number().describe('How well it matched that line: cosine similarity of their word counts, 0 to 1'),
});

export const CorrectedTranscriptSchema = z.object({
  status: z.literal('success'),
  message: z.string(),
  corrected: z.array(CorrectedSegmentSchema),
  aligned: z.array(AlignedSegmentSchema),
});

export const CorrectionProcessingSchema = z.object({
  status: z.literal('processing'),
  message: z.string(),
  corrected: z.array(CorrectedSegmentSchema).describe('Empty until the corrected transcript is stored'),
});

export type CorrectedTranscriptResponse = z.infer<typeof CorrectedTranscriptSchema>;

/** The stored corrected transcript in the seed's shape; a stand-in's label is kept in `message`. */
export function presentCorrectedTranscript(doc: CorrectedTranscriptDoc): CorrectedTranscriptResponse {
  return {
    status: 'success',
    message: doc.note ? `Corrected transcript (${doc.note})` : 'Corrected transcript',
    corrected: doc.segments.map((s) => ({ start: s.start, end: s.end, text: s.text, speaker: s.speaker })),
    aligned: doc.segments.map((s) => ({ start: s.start, end: s.end, text: s.text, speaker: s.role, similarity: s.similarity })),
  };
}
