import { z } from 'zod';
import type { KnowledgeBaseDoc } from '../knowledge/types';

/** One knowledge base as GET /vectors lists it (the seed's shape); `text` only with include_text=true. */
export const VectorSummarySchema = z.object({
  vector_id: z.string().describe('KB-<uuid>'),
  name: z.string(),
  description: z.string(),
  text: z.string().optional().describe('The full text, with include_text=true'),
});

/** GET /vectors/{id}: the seed's fields, plus how far indexing of the latest text has got. */
export const VectorDetailSchema = VectorSummarySchema.extend({
  index_status: z
    .enum(['indexing', 'ready', 'failed'])
    .describe('Of the latest text: indexing, ready (what calls search), or failed (calls search the previous text, if any, and index_error says why)'),
  searchable: z.boolean().describe('Whether calls find anything yet: some version of the text is completely indexed'),
  chunk_count: z.number().int().describe('Passages the latest text was cut into (0 until counted)'),
  indexed_chunks: z.number().int().describe('Passages of the latest text embedded so far'),
  index_error: z.string().nullable(),
  indexed_at: z.string().nullable().describe('When a version last became searchable, ISO 8601'),
  created_at: z.string(),
  updated_at: z.string(),
});

type Listed = Pick<KnowledgeBaseDoc, '_id' | 'name' | 'description'> & { text?: string };

export const vectorSummary = (d: Listed, includeText: boolean): z.infer<typeof VectorSummarySchema> => ({
  vector_id: d._id,
  name: d.name,
  description: d.description,
  ...(includeText && d.text !== undefined ? { text: d.text } : {}),
});

export const vectorDetail = (d: KnowledgeBaseDoc, includeText: boolean): z.infer<typeof VectorDetailSchema> => ({
  ...vectorSummary(d, includeText),
  index_status: d.status,
  searchable: d.current_version !== null,
  chunk_count: d.chunk_count,
  indexed_chunks: d.indexed_chunks,
  index_error: d.index_error,
  indexed_at: d.indexed_at ? d.indexed_at.toISOString() : null,
  created_at: d.created_at.toISOString(),
  updated_at: d.updated_at.toISOString(),
});
