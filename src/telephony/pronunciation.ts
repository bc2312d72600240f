import type { Pronunciation } from '../workflow-api/call';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Bland's pronunciation_guide: whole-word substitutions applied to what is spoken, not to the transcript. */
export function applyPronunciations(text: string, guide: Pronunciation[]): string {
  return guide.reduce((out, p) => {
    if (!p.word.trim()) return out;
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(p.word)}(?![\\p{L}\\p{N}])`, p.caseSensitive ? 'gu' : 'giu');
    return out.replace(pattern, () => p.pronunciation);
  }, text);
}
