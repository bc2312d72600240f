import { Router } from 'express';
import { findVersion, pathwayCollections, saveVersion } from '../../src/db/pathway-store';
import { webhookUrlProblems } from '../../src/pathway/graph-schema';
import { presentLiveVersion, presentVersion, presentVersionSummary } from '../../src/presenters/pathway';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { createVersion, deleteVersion, getVersion, listVersions, publishVersion } from '../endpoints/pathways';
import { badRequest, notFound } from '../errors';
import { urlCheck } from '../services/outbound';

/**
 * /v1/pathway/{pathway_id}/version(s) and /publish. A version is addressed by its number (as the
 * seed's publish does) or by its id; 0 is the live graph. Versions never change once stored.
 */
export function pathwayVersionsRouter(deps: ApiDeps): Router {
  const router = Router();
  const c = pathwayCollections(deps.db.db);

  const pathwayOf = async (orgId: string, id: string) => {
    const p = await c.pathways.findOne({ _id: id, org_id: orgId });
    if (!p) throw notFound('Pathway not found.');
    return p;
  };
  const latestNumber = async (orgId: string, pathwayId: string) =>
    (await c.versions.find({ org_id: orgId, pathway_id: pathwayId, archived: false }).sort({ version_number: -1 }).limit(1).next())?.version_number ?? 0;

  mountEndpoint(router, listVersions, async ({ params }, req, res) => {
    const p = await pathwayOf(req.orgId, params.pathway_id);
    const docs = await c.versions.find({ org_id: req.orgId, pathway_id: p._id, archived: false }).sort({ version_number: 1 }).toArray();
    const latest = docs.at(-1)?.version_number;
    res.json(docs.map((v) => presentVersionSummary(v, p, latest)));
  });

  mountEndpoint(router, getVersion, async ({ params }, req, res) => {
    const p = await pathwayOf(req.orgId, params.pathway_id);
    if (params.version_id === '0') {
      res.json(presentLiveVersion(p));
      return;
    }
    const v = await findVersion(c, req.orgId, p._id, params.version_id);
    if (!v) throw notFound('Pathway version not found.');
    res.json(presentVersion(v, v.version_number === (await latestNumber(req.orgId, p._id))));
  });

  mountEndpoint(router, createVersion, async ({ params, body }, req, res) => {
    const p = await pathwayOf(req.orgId, params.pathway_id);
    const graph = { nodes: body.nodes ?? [], edges: body.edges ?? [] };
    const problems = webhookUrlProblems(graph.nodes, urlCheck(deps));
    if (problems.length > 0) throw badRequest(problems);
    const v = await saveVersion(c, req.orgId, p._id, { name: body.name || p.name, description: p.description, ...graph });
    if (!v) throw notFound('Pathway not found.');
    res.json({
      status: 'success',
      message: 'Version created successfully',
      data: { created_at: v.created_at.toISOString(), id: v._id, name: v.name, version_number: v.version_number },
    });
  });

  mountEndpoint(router, deleteVersion, async ({ params }, req, res) => {
    const p = await pathwayOf(req.orgId, params.pathway_id);
    const v = await findVersion(c, req.orgId, p._id, params.version_id);
    if (!v) throw notFound('Pathway version not found.');
    if (v._id === p.production_version_id || v._id === p.staging_version_id) {
      throw badRequest(['This version is published; publish another version first.'], 'Cannot archive a published version');
    }
    await c.versions.updateOne({ _id: v._id, org_id: req.orgId }, { $set: { archived: true } });
    res.json({ status: 'success', message: 'Version deleted successfully' });
  });

  mountEndpoint(router, publishVersion, async ({ params, body }, req, res) => {
    const p = await pathwayOf(req.orgId, params.pathway_id);
    const v = await findVersion(c, req.orgId, p._id, body.version_id);
    if (!v) throw notFound('Pathway version not found.');
    const environment = body.environment ?? 'production';
    const field = environment === 'staging' ? 'staging_version_id' : 'production_version_id';
    await c.pathways.updateOne({ _id: p._id, org_id: req.orgId }, { $set: { [field]: v._id, updated_at: new Date() } });
    res.json({
      status: 'success',
      message: 'Pathway published successfully',
      version_id: v._id,
      version_number: v.version_number,
      environment,
    });
  });

  return router;
}
