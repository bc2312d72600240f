import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/** Embeddings per request: well inside OpenAI's 2,048 inputs and token limits for ~1,000-character chunks. */
const EMBED_BATCH = 64;

const store = proxyActivities<Activities>({
  startToCloseTimeout: '60 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

// A failed embeddings request is retried with backoff for a few minutes; a 4xx other than 408/429 is not (it is classified in the model client).
const embed = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
  summary: 'Embed knowledge base chunks',
});

export interface KnowledgeBaseIndexInput {
  orgId: string;
  kbId: string;
  version: number;
}

export interface KnowledgeBaseIndexResult {
  status: 'ready' | 'failed' | 'superseded';
  chunks: number;
  error?: string;
}

function reason(err: ActivityFailure): string {
  const cause = err.cause;
  return cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : 'the embeddings request failed';
}

/**
 * `kb-index-<kb_id>`: chunks a knowledge base's text and embeds the chunks in batches, each batch
 * its own activity (visible and retried on its own), then switches the version searched in one
 * write. Until then searches read the previous version, so a knowledge base is never half-replaced.
 * An update starts a new run with the next version (the API terminates this one); a run that finds
 * its version no longer the latest ends as `superseded`.
 */
export async function knowledgeBaseIndexWorkflow(input: KnowledgeBaseIndexInput): Promise<KnowledgeBaseIndexResult> {
  const prepared = await store.prepareKnowledgeBaseIndex(input);
  if (prepared.superseded) return { status: 'superseded', chunks: 0 };
  try {
    for (let from = 0; from < prepared.chunks; from += EMBED_BATCH) {
      const batch = await embed.embedKnowledgeBaseChunks({ ...input, from, count: EMBED_BATCH });
      if (batch.superseded) return { status: 'superseded', chunks: prepared.chunks };
    }
    const finished = await store.finishKnowledgeBaseIndex(input);
    return { status: finished.superseded ? 'superseded' : 'ready', chunks: prepared.chunks };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const error = reason(err);
    await store.failKnowledgeBaseIndex({ ...input, error });
    return { status: 'failed', chunks: prepared.chunks, error };
  }
}
