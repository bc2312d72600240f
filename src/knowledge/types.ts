import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongodb';

/** `KB-<uuid>`, as Bland's vector stores are named. */
export const KB_ID = /^KB-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const newKnowledgeBaseId = (): string => `KB-${randomUUID()}`;
export const knowledgeBaseWorkflowId = (kbId: string): string => `kb-index-${kbId}`;

/** A knowledge base's text, in UTF-8 bytes (1 MiB). */
export const KB_MAX_TEXT_BYTES = 1024 * 1024;
export const KB_MAX_NAME_CHARS = 200;
export const KB_MAX_DESCRIPTION_CHARS = 2000;

export type KnowledgeBaseIndexStatus = 'indexing' | 'ready' | 'failed';

/**
 * One knowledge base (Bland's "vector store"). `version` is the text last submitted; readers
 * search `current_version`'s chunks, which change only when a version is completely indexed, so
 * a knowledge base is never half-replaced. The text is data: never templated or evaluated.
 */
export interface KnowledgeBaseDoc {
  _id: string;
  org_id: string;
  name: string;
  description: string;
  text: string;
  /** The latest submitted text's version, 1 on creation, +1 on each update. */
  version: number;
  /** The version whose chunks are searched; null until the first indexing completes. */
  current_version: number | null;
  /** Kept one switch longer, for a search that read the previous version just before the switch. */
  previous_version: number | null;
  /** Of `version`: indexing, ready (searchable), or failed (the current version, if any, is still searched). */
  status: KnowledgeBaseIndexStatus;
  /** Chunks of `version` (known once chunked) and how many are embedded. */
  chunk_count: number;
  indexed_chunks: number;
  index_error: string | null;
  created_at: Date;
  updated_at: Date;
  indexed_at: Date | null;
}

/** One embedded passage of one version: `_id` is `<kb_id>:<version>:<seq>`, so a retried write replaces itself. */
export interface KnowledgeChunkDoc {
  _id: string;
  org_id: string;
  kb_id: string;
  version: number;
  seq: number;
  text: string;
  embedding: number[];
}

export const chunkId = (kbId: string, version: number, seq: number): string => `${kbId}:${version}:${seq}`;

export async function ensureKnowledgeIndexes(bases: Collection<KnowledgeBaseDoc>, chunks: Collection<KnowledgeChunkDoc>): Promise<void> {
  await Promise.all([bases.createIndex({ org_id: 1, created_at: -1 }), chunks.createIndex({ kb_id: 1, version: 1, seq: 1 })]);
}
