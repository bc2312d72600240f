import express, { Router } from 'express';
import { vectorDetail, vectorSummary } from '../../src/presenters/knowledge-base';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import {
  createVector,
  createVectorV1,
  deleteVector,
  deleteVectorV1,
  getVector,
  getVectorV1,
  KB_BODY_LIMIT_BYTES,
  listVectors,
  listVectorsV1,
  updateVector,
  updateVectorV1,
  UPLOAD_CONTENT_TYPES,
  uploadVector,
  uploadVectorV1,
} from '../endpoints/knowledge-bases';
import { createKnowledgeBase, deleteKnowledgeBase, ownKnowledgeBase, updateKnowledgeBase } from '../services/knowledge-bases';

const MAX_LISTED = 1000;

/**
 * Knowledge bases (seed 003 "Knowledge Bases", Bland's vector stores) at `/vectors` and
 * `/v1/vectors`. The app authenticates and rate-limits `/vectors` (outside /v1) as it does /v1, and
 * parses these bodies, which may hold a 1 MiB text, up to KB_BODY_LIMIT_BYTES.
 */
export function knowledgeBasesRouter(deps: ApiDeps): Router {
  const router = Router();
  const { knowledgeBases } = deps.db.collections;

  for (const spec of [createVector, createVectorV1]) {
    mountEndpoint(router, spec, async ({ body }, req, res) => {
      res.json({ vector_id: await createKnowledgeBase(deps, req.orgId, body) });
    });
  }

  // Before /vectors/{id}: "upload" is not a knowledge base's id. The file is the body.
  router.post(['/vectors/upload', '/v1/vectors/upload'], express.text({ type: UPLOAD_CONTENT_TYPES, limit: KB_BODY_LIMIT_BYTES }));
  for (const spec of [uploadVector, uploadVectorV1]) {
    mountEndpoint(router, spec, async ({ query, body }, req, res) => {
      res.json({ vector_id: await createKnowledgeBase(deps, req.orgId, { name: query.name, description: query.description ?? '', text: body }) });
    });
  }

  for (const spec of [listVectors, listVectorsV1]) {
    mountEndpoint(router, spec, async ({ query }, req, res) => {
      const includeText = query.include_text === true;
      const docs = await knowledgeBases
        .find({ org_id: req.orgId }, { projection: { name: 1, description: 1, created_at: 1, ...(includeText ? { text: 1 } : {}) } })
        .sort({ created_at: -1 })
        .limit(MAX_LISTED)
        .toArray();
      res.json({ vectors: docs.map((d) => vectorSummary(d, includeText)) });
    });
  }

  // Before /vectors/{id}: "delete" is not an update of a knowledge base named so.
  for (const spec of [deleteVector, deleteVectorV1]) {
    mountEndpoint(router, spec, async ({ params }, req, res) => {
      await deleteKnowledgeBase(deps, req.orgId, params.vector_id);
      res.json({ vector_id: params.vector_id, message: 'Vector deleted' });
    });
  }

  for (const spec of [getVector, getVectorV1]) {
    mountEndpoint(router, spec, async ({ params, query }, req, res) => {
      const includeText = query.include_text === true;
      res.json(vectorDetail(await ownKnowledgeBase(deps, req.orgId, params.vector_id, includeText), includeText));
    });
  }

  for (const spec of [updateVector, updateVectorV1]) {
    mountEndpoint(router, spec, async ({ params, body }, req, res) => {
      await updateKnowledgeBase(deps, req.orgId, params.vector_id, body);
      res.json({ vector_id: params.vector_id });
    });
  }

  return router;
}
