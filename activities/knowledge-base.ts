import { chunkText } from '../src/knowledge/chunk';
import { chunkId, type KnowledgeChunkDoc } from '../src/knowledge/types';
import type { ActivityDeps } from './deps';

export interface KnowledgeBaseIndexRef {
  orgId: string;
  kbId: string;
  /** The version this run indexes; a newer one (or a deletion) makes the run superseded. */
  version: number;
}

export interface KnowledgeBaseBatchInput extends KnowledgeBaseIndexRef {
  from: number;
  count: number;
}

/**
 * Indexing a knowledge base, in steps the workflow orchestrates. Each step re-reads the knowledge
 * base and stops (`superseded`) when its version is no longer the latest, so an update or a
 * deletion never races an older run into place. Chunks are written under their version and only
 * `finishKnowledgeBaseIndex` makes a version the one searched.
 */
export function createKnowledgeBaseActivities({ db, chat }: Pick<ActivityDeps, 'db' | 'chat'>) {
  const { knowledgeBases, kbChunks } = db.collections;
  const latest = (ref: KnowledgeBaseIndexRef) => knowledgeBases.findOne({ _id: ref.kbId, org_id: ref.orgId, version: ref.version });

  return {
    /** Chunks the text (to count the chunks) and marks the version as indexing. */
    async prepareKnowledgeBaseIndex(ref: KnowledgeBaseIndexRef): Promise<{ superseded: boolean; chunks: number }> {
      const doc = await latest(ref);
      if (!doc) return { superseded: true, chunks: 0 };
      const chunks = chunkText(doc.text).length;
      await knowledgeBases.updateOne(
        { _id: ref.kbId, org_id: ref.orgId, version: ref.version },
        { $set: { status: 'indexing', chunk_count: chunks, indexed_chunks: 0, index_error: null } },
      );
      return { superseded: false, chunks };
    },

    /** Embeds chunks [from, from + count) of the version and writes them (a retry rewrites the same ids). */
    async embedKnowledgeBaseChunks(input: KnowledgeBaseBatchInput): Promise<{ superseded: boolean }> {
      const doc = await latest(input);
      if (!doc) return { superseded: true };
      const texts = chunkText(doc.text).slice(input.from, input.from + input.count);
      if (texts.length === 0) return { superseded: false };
      const { vectors } = await chat.embed(texts);
      const docs: KnowledgeChunkDoc[] = texts.map((text, i) => ({
        _id: chunkId(input.kbId, input.version, input.from + i),
        org_id: input.orgId,
        kb_id: input.kbId,
        version: input.version,
        seq: input.from + i,
        text,
        embedding: vectors[i]!,
      }));
      await kbChunks.bulkWrite(docs.map((d) => ({ replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true } })), { ordered: false });
      const progressed = await knowledgeBases.updateOne(
        { _id: input.kbId, org_id: input.orgId, version: input.version },
        { $max: { indexed_chunks: input.from + texts.length } },
      );
      if (progressed.matchedCount === 0) {
        // Deleted (or updated) while this batch was embedded: its chunks belong to nothing searched.
        await kbChunks.deleteMany({ kb_id: input.kbId, version: input.version });
        return { superseded: true };
      }
      return { superseded: false };
    },

    /**
     * Makes the version the one searched, in one write, then drops chunks of versions no longer
     * searched (the previous one is kept until the next switch, for a search already under way).
     */
    async finishKnowledgeBaseIndex(ref: KnowledgeBaseIndexRef): Promise<{ superseded: boolean }> {
      const doc = await latest(ref);
      if (!doc) return { superseded: true };
      const previous = doc.current_version === ref.version ? doc.previous_version : doc.current_version;
      const switched = await knowledgeBases.updateOne(
        { _id: ref.kbId, org_id: ref.orgId, version: ref.version },
        { $set: { current_version: ref.version, previous_version: previous, status: 'ready', index_error: null, indexed_at: new Date() } },
      );
      if (switched.matchedCount === 0) return { superseded: true };
      await kbChunks.deleteMany({ kb_id: ref.kbId, version: { $nin: [ref.version, ...(previous === null ? [] : [previous])] } });
      return { superseded: false };
    },

    /** The version could not be indexed: says why; the version searched until now stays searched. */
    async failKnowledgeBaseIndex(input: KnowledgeBaseIndexRef & { error: string }): Promise<void> {
      const doc = await latest(input);
      // Already switched (a failure after the switch, while cleaning up): the version is searchable.
      if (!doc || doc.current_version === input.version) return;
      await knowledgeBases.updateOne(
        { _id: input.kbId, org_id: input.orgId, version: input.version },
        { $set: { status: 'failed', index_error: input.error.slice(0, 500) } },
      );
      await kbChunks.deleteMany({ kb_id: input.kbId, version: input.version });
    },
  };
}
