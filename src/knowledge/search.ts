import type { Database } from '../db/database';
import type { ChatModel } from '../llm/chat-model';
import { KB_ID, type KnowledgeChunkDoc } from './types';

/**
 * Retrieval without a vector index: the embedded store (and MongoDB outside Atlas) has no vector
 * search, so the worker loads the current version's chunks (at most KB_MAX_CANDIDATES, which the
 * text limit already keeps it under) and ranks them by cosine similarity. A version's chunks never
 * change once it is current, so they are cached per (knowledge base, version) in the worker.
 */
export const KB_MAX_CANDIDATES = 2000;
export const KB_TOP_K = 3;
/** A passage shown to the model is cut here; the stored chunk is never longer than CHUNK_MAX_CHARS anyway. */
const PASSAGE_CHARS = 1200;
const CACHE_ENTRIES = 32;

export interface KnowledgePassage {
  text: string;
  score: number;
  kb_id: string;
}

export interface KnowledgeSearchResult {
  kbId: string;
  /** The version searched; null when nothing is indexed yet. */
  version: number | null;
  passages: KnowledgePassage[];
}

type Candidate = Pick<KnowledgeChunkDoc, 'text' | 'embedding'>;
const cache = new Map<string, Candidate[]>();

export function cosine(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < n; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** The `k` best candidates by cosine with `query`, best first; ties keep the text's order. */
export function rank(query: number[], candidates: Candidate[], k: number): Array<{ text: string; score: number }> {
  return candidates
    .map((c, i) => ({ text: c.text, score: cosine(query, c.embedding), i }))
    .sort((x, y) => y.score - x.score || x.i - y.i)
    .slice(0, k)
    .map(({ text, score }) => ({ text, score: Math.round(score * 1000) / 1000 }));
}

async function candidates(db: Database, kbId: string, version: number): Promise<Candidate[]> {
  const key = `${kbId}:${version}`;
  const hit = cache.get(key);
  if (hit) {
    // Most recently used last: the first key is the one to drop.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const docs = await db.collections.kbChunks
    .find({ kb_id: kbId, version }, { projection: { text: 1, embedding: 1 } })
    .sort({ seq: 1 })
    .limit(KB_MAX_CANDIDATES)
    .toArray();
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(key, docs);
  return docs;
}

export class KnowledgeBaseNotFound extends Error {
  override name = 'KnowledgeBaseNotFound';
}

/** Searches one organisation's knowledge base; another organisation's (or a deleted) one is KnowledgeBaseNotFound. */
export async function searchKnowledgeBase(db: Database, model: ChatModel, orgId: string, kbId: string, query: string, k = KB_TOP_K): Promise<KnowledgeSearchResult> {
  if (!KB_ID.test(kbId)) throw new KnowledgeBaseNotFound(`no knowledge base ${kbId}`);
  const doc = await db.collections.knowledgeBases.findOne({ _id: kbId, org_id: orgId }, { projection: { current_version: 1 } });
  if (!doc) throw new KnowledgeBaseNotFound(`the knowledge base ${kbId} no longer exists`);
  if (doc.current_version === null || !query.trim()) return { kbId, version: doc.current_version, passages: [] };
  const [pool, embedded] = await Promise.all([candidates(db, kbId, doc.current_version), model.embed([query])]);
  const passages = rank(embedded.vectors[0]!, pool, k)
    .filter((p) => p.score > 0)
    .map((p) => ({ text: p.text.slice(0, PASSAGE_CHARS), score: p.score, kb_id: kbId }));
  return { kbId, version: doc.current_version, passages };
}
