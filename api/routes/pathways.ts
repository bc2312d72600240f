import { Router } from 'express';
import { decodeGraph, encodeGraph, newPathwayId, pathwayCollections, saveVersion } from '../../src/db/pathway-store';
import type { PathwayDoc } from '../../src/db/pathway-types';
import { graphProblems, webhookUrlProblems } from '../../src/pathway/graph-schema';
import { presentPathway } from '../../src/presenters/pathway';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { createPathway, deletePathway, getPathway, listPathways, updatePathway } from '../endpoints/pathways';
import { badRequest, notFound } from '../errors';
import { urlCheck } from '../services/outbound';

/** /v1/pathway: create, read, update (which saves a version) and delete. */
export function pathwaysRouter(deps: ApiDeps): Router {
  const router = Router();
  const c = pathwayCollections(deps.db.db);

  mountEndpoint(router, listPathways, async (_input, req, res) => {
    const docs = await c.pathways.find({ org_id: req.orgId }).sort({ created_at: -1 }).limit(1000).toArray();
    res.json(docs.map(presentPathway));
  });

  mountEndpoint(router, createPathway, async ({ body }, req, res) => {
    const now = new Date();
    const doc: PathwayDoc = {
      _id: newPathwayId(), org_id: req.orgId, name: body.name, description: body.description ?? null,
      graph_json: encodeGraph({ nodes: [], edges: [] }), folder_id: null, version_count: 0, production_version_id: null, staging_version_id: null,
      created_at: now, updated_at: now,
    };
    await c.pathways.insertOne(doc);
    res.json({ status: 'success', pathway_id: doc._id });
  });

  mountEndpoint(router, getPathway, async ({ params }, req, res) => {
    const doc = await c.pathways.findOne({ _id: params.pathway_id, org_id: req.orgId });
    if (!doc) throw notFound('Pathway not found.');
    res.json(presentPathway(doc));
  });

  mountEndpoint(router, updatePathway, async ({ params, body }, req, res) => {
    const id = params.pathway_id;
    const doc = await c.pathways.findOne({ _id: id, org_id: req.orgId });
    if (!doc) throw notFound('Pathway not found.');
    let graph: ReturnType<typeof decodeGraph> | null = null;
    if (body.nodes || body.edges) {
      // Half a graph is checked with the stored other half (the schema checked a whole one).
      const current = decodeGraph(doc);
      graph = { nodes: body.nodes ?? current.nodes, edges: body.edges ?? current.edges };
      const problems = [
        ...(body.nodes && body.edges ? [] : graphProblems(graph.nodes, graph.edges)),
        ...webhookUrlProblems(graph.nodes, urlCheck(deps)),
      ];
      if (problems.length > 0) throw badRequest(problems);
    }
    const set: Partial<PathwayDoc> = { updated_at: new Date() };
    if (body.name) set.name = body.name;
    if (body.description !== undefined) set.description = body.description;
    let versionNumber: number | null = null;
    if (graph) {
      // The version first: the live graph only ever points at something stored and validated.
      const version = await saveVersion(c, req.orgId, id, { name: set.name ?? doc.name, description: set.description !== undefined ? set.description : doc.description, ...graph });
      if (!version) throw notFound('Pathway not found.');
      versionNumber = version.version_number;
      set.graph_json = encodeGraph(graph);
    }
    const updated = await c.pathways.findOneAndUpdate({ _id: id, org_id: req.orgId }, { $set: set }, { returnDocument: 'after' });
    if (!updated) throw notFound('Pathway not found.');
    res.json({
      status: 'success',
      message: 'Pathway updated successfully',
      ...(versionNumber !== null ? { version_number: versionNumber } : {}),
      pathway_data: presentPathway(updated),
    });
  });

  mountEndpoint(router, deletePathway, async ({ params }, req, res) => {
    const id = params.pathway_id;
    const gone = await c.pathways.deleteOne({ _id: id, org_id: req.orgId });
    if (gone.deletedCount === 0) throw notFound('Pathway not found.');
    // Archived, not deleted: calls already running on one of its versions keep their graph.
    await c.versions.updateMany({ org_id: req.orgId, pathway_id: id }, { $set: { archived: true } });
    res.json({ status: 'success', message: 'Pathway deleted successfully', pathway_id: id });
  });

  return router;
}
