import { Router } from 'express';
import { decodeGraph, encodeGraph, newPathwayId, pathwayCollections, saveVersion } from '../../src/db/pathway-store';
import type { PathwayDoc } from '../../src/db/pathway-types';
import type { ApiDeps } from '../deps';
import { badRequest, notFound } from '../errors';
import { parseCreatePathway, parseUpdatePathway } from '../schemas/pathway';
import { urlCheck } from '../services/outbound';

export const presentPathway = (p: PathwayDoc) => ({
  pathway_id: p._id,
  name: p.name,
  description: p.description,
  ...decodeGraph(p),
  folder_id: p.folder_id,
  production_version_id: p.production_version_id,
  staging_version_id: p.staging_version_id,
  created_at: p.created_at.toISOString(),
  updated_at: p.updated_at.toISOString(),
});

/** /v1/pathway: create, read, update (which saves a version) and delete. */
export function pathwaysRouter(deps: ApiDeps): Router {
  const router = Router();
  const c = pathwayCollections(deps.db.db);

  router.get('/v1/pathway', async (req, res) => {
    const docs = await c.pathways.find({ org_id: req.orgId }).sort({ created_at: -1 }).limit(1000).toArray();
    res.json(docs.map(presentPathway));
  });

  router.post('/v1/pathway/create', async (req, res) => {
    const parsed = parseCreatePathway(req.body);
    if (!parsed.ok) throw badRequest(parsed.errors);
    const now = new Date();
    const doc: PathwayDoc = {
      _id: newPathwayId(), org_id: req.orgId, name: parsed.value.name, description: parsed.value.description,
      graph_json: encodeGraph({ nodes: [], edges: [] }), folder_id: null, version_count: 0, production_version_id: null, staging_version_id: null,
      created_at: now, updated_at: now,
    };
    await c.pathways.insertOne(doc);
    res.json({ status: 'success', pathway_id: doc._id });
  });

  router.get('/v1/pathway/:id', async (req, res) => {
    const doc = await c.pathways.findOne({ _id: String(req.params.id), org_id: req.orgId });
    if (!doc) throw notFound('Pathway not found.');
    res.json(presentPathway(doc));
  });

  router.post('/v1/pathway/:id', async (req, res) => {
    const id = String(req.params.id);
    const doc = await c.pathways.findOne({ _id: id, org_id: req.orgId });
    if (!doc) throw notFound('Pathway not found.');
    const parsed = parseUpdatePathway(req.body, decodeGraph(doc), { checkUrl: urlCheck(deps) });
    if (!parsed.ok) throw badRequest(parsed.errors, 'Invalid pathway');
    const u = parsed.value;
    const set: Partial<PathwayDoc> = { updated_at: new Date() };
    if (u.name !== undefined) set.name = u.name;
    if (u.description !== undefined) set.description = u.description;
    let versionNumber: number | null = null;
    if (u.graph) {
      // The version first: the live graph only ever points at something stored and validated.
      const version = await saveVersion(c, req.orgId, id, {
        name: u.name ?? doc.name, description: u.description !== undefined ? u.description : doc.description, ...u.graph,
      });
      if (!version) throw notFound('Pathway not found.');
      versionNumber = version.version_number;
      set.graph_json = encodeGraph(u.graph);
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

  router.delete('/v1/pathway/:id', async (req, res) => {
    const id = String(req.params.id);
    const gone = await c.pathways.deleteOne({ _id: id, org_id: req.orgId });
    if (gone.deletedCount === 0) throw notFound('Pathway not found.');
    // Archived, not deleted: calls already running on one of its versions keep their graph.
    await c.versions.updateMany({ org_id: req.orgId, pathway_id: id }, { $set: { archived: true } });
    res.json({ status: 'success', message: 'Pathway deleted successfully', pathway_id: id });
  });

  return router;
}
