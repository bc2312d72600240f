import { WorkflowNotFoundError } from '@temporalio/client';
import { knowledgeBaseWorkflowId, KB_ID, newKnowledgeBaseId, type KnowledgeBaseDoc } from '../../src/knowledge/types';
import { SA } from '../../src/workflow-api/search-attributes';
import type { knowledgeBaseIndexWorkflow } from '../../workflows/knowledge-base-index';
import type { ApiDeps } from '../deps';
import { notFound, unavailable } from '../errors';

export interface KnowledgeBaseInput {
  name: string;
  description: string;
  text: string;
}

/** The organisation's knowledge base, or a 404 (another organisation's included). */
export async function ownKnowledgeBase(deps: ApiDeps, orgId: string, kbId: string, withText = true): Promise<KnowledgeBaseDoc> {
  if (!KB_ID.test(kbId)) throw notFound('Vector store not found.');
  const doc = await deps.db.collections.knowledgeBases.findOne({ _id: kbId, org_id: orgId }, withText ? {} : { projection: { text: 0 } });
  if (!doc) throw notFound('Vector store not found.');
  return doc;
}

/**
 * Starts `kb-index-<kb_id>` for the version. A run still indexing an older version is terminated:
 * its chunks are never searched (only a finished run switches the version), and the next finished
 * run deletes them.
 */
async function startIndexing(deps: ApiDeps, orgId: string, kbId: string, version: number): Promise<void> {
  await deps.temporal.workflow.start<typeof knowledgeBaseIndexWorkflow>('knowledgeBaseIndexWorkflow', {
    taskQueue: deps.taskQueue,
    workflowId: knowledgeBaseWorkflowId(kbId),
    args: [{ orgId, kbId, version }],
    workflowIdConflictPolicy: 'TERMINATE_EXISTING',
    typedSearchAttributes: [{ key: SA.OrgId, value: orgId }],
    memo: { summary: `Index knowledge base ${kbId} v${version}`, org_id: orgId },
  });
}

/** Stores the knowledge base and starts its indexing; if indexing cannot start, nothing is left behind (503). */
export async function createKnowledgeBase(deps: ApiDeps, orgId: string, input: KnowledgeBaseInput): Promise<string> {
  const now = new Date();
  const doc: KnowledgeBaseDoc = {
    _id: newKnowledgeBaseId(),
    org_id: orgId,
    ...input,
    version: 1,
    current_version: null,
    previous_version: null,
    status: 'indexing',
    chunk_count: 0,
    indexed_chunks: 0,
    index_error: null,
    created_at: now,
    updated_at: now,
    indexed_at: null,
  };
  const { knowledgeBases } = deps.db.collections;
  await knowledgeBases.insertOne(doc);
  try {
    await startIndexing(deps, orgId, doc._id, 1);
  } catch (err) {
    deps.logger.error({ err, kbId: doc._id }, 'knowledge base indexing could not start');
    await knowledgeBases.deleteOne({ _id: doc._id, org_id: orgId });
    throw unavailable('The knowledge base could not be indexed; try again.');
  }
  return doc._id;
}

/**
 * Replaces name, description and text as the next version and re-indexes; calls search the
 * version indexed before until the new one is complete. If indexing cannot start, the previous
 * name, description and text are put back (503).
 */
export async function updateKnowledgeBase(deps: ApiDeps, orgId: string, kbId: string, input: KnowledgeBaseInput): Promise<void> {
  const { knowledgeBases } = deps.db.collections;
  const before = await ownKnowledgeBase(deps, orgId, kbId);
  const updated = await knowledgeBases.findOneAndUpdate(
    { _id: kbId, org_id: orgId },
    { $set: { ...input, status: 'indexing', chunk_count: 0, indexed_chunks: 0, index_error: null, updated_at: new Date() }, $inc: { version: 1 } },
    { returnDocument: 'after', projection: { version: 1 } },
  );
  if (!updated) throw notFound('Vector store not found.');
  try {
    await startIndexing(deps, orgId, kbId, updated.version);
  } catch (err) {
    deps.logger.error({ err, kbId }, 'knowledge base re-indexing could not start');
    // Only if no later update came in meanwhile: that one's text is the latest.
    await knowledgeBases.updateOne(
      { _id: kbId, org_id: orgId, version: updated.version },
      {
        $set: {
          name: before.name,
          description: before.description,
          text: before.text,
          version: before.version,
          status: before.status,
          chunk_count: before.chunk_count,
          indexed_chunks: before.indexed_chunks,
          index_error: before.index_error,
          updated_at: before.updated_at,
        },
      },
    );
    throw unavailable('The knowledge base could not be re-indexed; it is unchanged. Try again.');
  }
}

/** Stops indexing, then removes the knowledge base and its passages. */
export async function deleteKnowledgeBase(deps: ApiDeps, orgId: string, kbId: string): Promise<void> {
  await ownKnowledgeBase(deps, orgId, kbId, false);
  try {
    await deps.temporal.workflow.getHandle(knowledgeBaseWorkflowId(kbId)).terminate('knowledge base deleted');
  } catch (err) {
    // Finished long ago (or never ran): nothing to stop. A run that survives finds its knowledge base gone and stops.
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  await deps.db.collections.knowledgeBases.deleteOne({ _id: kbId, org_id: orgId });
  await deps.db.collections.kbChunks.deleteMany({ kb_id: kbId });
}
