import { z } from 'zod';
import { significantWords, words } from './structured';

/** The offline model's embeddings (POST /v1/embeddings): the request schema and the vectors. */

export const EMBEDDING_DIMS = 256;

export const embeddingSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string().min(1), z.array(z.string().min(1)).min(1), z.array(z.number().int()).min(1), z.array(z.array(z.number().int()).min(1)).min(1)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().min(1).max(4096).optional(),
});

function hashWord(w: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Hashed word n-grams, L2-normalised: each meaningful word (stop words dropped, stemmed) and each
 * pair of neighbouring ones adds ±1 to a hashed dimension, so texts about the same things get a
 * high cosine and unrelated texts about zero. Deterministic and free to compute; not a language model.
 */
export function embedText(text: string, dims = EMBEDDING_DIMS): number[] {
  const v = new Array<number>(dims).fill(0);
  const add = (gram: string, weight: number) => {
    const h = hashWord(gram);
    v[h % dims]! += h & 0x80000000 ? -weight : weight;
  };
  const terms = words(text).flatMap((w) => significantWords(w));
  terms.forEach((t, i) => {
    add(t, 1);
    if (i > 0) add(`${terms[i - 1]} ${t}`, 0.5);
  });
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  return norm === 0 ? v : v.map((x) => x / norm);
}

/** Token-id input (number[] or number[][]) is hashed by id, since there is no tokenizer here. */
export function embeddingTexts(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  const items = input as unknown[];
  const ids = (xs: unknown[]) => xs.map((t) => `t${String(t)}`).join(' ');
  if (items.every((x) => typeof x === 'number')) return [ids(items)];
  return items.map((x) => (typeof x === 'string' ? x : ids(x as unknown[])));
}
