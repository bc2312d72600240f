/**
 * Pure (the indexing activities call it once per batch, so it must give the same chunks every
 * time): a text cut into passages of about CHUNK_TARGET_CHARS, on paragraph boundaries where it
 * can, then sentences, then words; a passage never exceeds CHUNK_MAX_CHARS.
 */
export const CHUNK_TARGET_CHARS = 1000;
export const CHUNK_MAX_CHARS = 1200;

function pieces(paragraph: string): string[] {
  if (paragraph.length <= CHUNK_MAX_CHARS) return [paragraph];
  const out: string[] = [];
  for (const sentence of paragraph.split(/(?<=[.!?])\s+/)) {
    if (sentence.length <= CHUNK_MAX_CHARS) {
      out.push(sentence);
      continue;
    }
    // A "sentence" longer than a chunk (a table, a list without stops): cut on whitespace, else hard.
    let rest = sentence;
    while (rest.length > CHUNK_MAX_CHARS) {
      const space = rest.lastIndexOf(' ', CHUNK_TARGET_CHARS);
      const cut = space > CHUNK_TARGET_CHARS / 2 ? space : CHUNK_TARGET_CHARS;
      out.push(rest.slice(0, cut).trim());
      rest = rest.slice(cut).trim();
    }
    if (rest) out.push(rest);
  }
  return out;
}

export function chunkText(text: string): string[] {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.replace(/[ \t]+/g, ' ').trim())
    .filter(Boolean);
  const chunks: string[] = [];
  let current = '';
  for (const piece of paragraphs.flatMap(pieces)) {
    if (current && current.length + 1 + piece.length > CHUNK_TARGET_CHARS) {
      chunks.push(current);
      current = '';
    }
    current = current ? `${current}\n${piece}` : piece;
  }
  if (current) chunks.push(current);
  return chunks;
}
