import type { CorrectedSegmentDoc } from '../db/corrected-transcripts';
import type { TranscribedSegment } from '../llm/transcription';
import type { Speaker } from '../db/types';

export interface TranscriptLine {
  user: Speaker;
  text: string;
}

/** Lower-case words without punctuation: what two renderings of the same speech share. */
function wordCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const w of text.toLowerCase().normalize('NFKD').match(/[\p{L}\p{N}']+/gu) ?? []) {
    const word = w.replace(/'/g, '');
    if (word) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/** Cosine similarity of word counts, 0..1 (the seed's `similarity`). */
export function similarity(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [w, n] of a) {
    na += n * n;
    dot += n * (b.get(w) ?? 0);
  }
  for (const n of b.values()) nb += n * n;
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

const roleOf = (user: Speaker): 'assistant' | 'user' => (user === 'user' ? 'user' : 'assistant');

/**
 * Who said each segment. A transcription service hears words and times but not whose line it was,
 * so each segment takes the role of the call's transcript line it resembles most (cosine of word
 * counts), preferring on a tie the line after the previous match, since a call goes forward. A
 * segment like no line keeps the previous segment's role (the agent's for the first). Speakers are
 * numbered as Bland does: 0 the agent, 1 the other party.
 */
export function alignSegments(segments: readonly TranscribedSegment[], lines: readonly TranscriptLine[]): CorrectedSegmentDoc[] {
  const bags = lines.map((l) => wordCounts(l.text));
  let previous = 0;
  let lastRole: 'assistant' | 'user' = 'assistant';
  return segments.map((s) => {
    const words = wordCounts(s.text);
    let best = -1;
    let bestScore = 0;
    bags.forEach((bag, i) => {
      const score = similarity(words, bag);
      const forward = (i: number) => (i >= previous ? i - previous : Number.MAX_SAFE_INTEGER);
      if (score > bestScore + 1e-9 || (best >= 0 && Math.abs(score - bestScore) <= 1e-9 && forward(i) < forward(best))) {
        best = i;
        bestScore = score;
      }
    });
    if (best >= 0) {
      previous = best;
      lastRole = roleOf(lines[best]!.user);
    }
    const round = (n: number) => Math.round(n * 1000) / 1000;
    return { start: round(s.start), end: round(s.end), text: s.text, speaker: lastRole === 'assistant' ? 0 : 1, role: lastRole, similarity: bestScore };
  });
}
