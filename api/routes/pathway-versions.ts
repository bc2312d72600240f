import { Router } from 'express';
import { decodeGraph, findVersion, pathwayCollections, saveVersion } from '../../src/db/pathway-store';
import type { PathwayVersionDoc } from '../../src/db/pathway-types';
import type { ApiDeps } from '../deps';
import { badRequest, notFound } from '../errors';
import { parseCreateVersion, parsePublish } from '../schemas/pathway';
import { urlCheck } from '../services/outbound';

/**
 * /v1/pathway/{id}/version(s) and /publish. A version is addressed by its number (as the seed's
 * publish does) or by its id; 0 is the live graph. Versions never change once stored.
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

  router.get('/v1/pathway/:id/versions', async (req, res) => {
    const p = await pathwayOf(req.orgId, String(req.params.id));
    const docs = await c.versions.find({ org_id: req.orgId, pathway_id: p._id, archived: false }).sort({ version_number: 1 }).toArray();
    const latest = docs.at(-1)?.version_number;
    res.json(docs.map((v) => ({
      id: v._id,
      version_number: v.version_number,
      created_at: v.created_at.toISOString(),
      name: v.name,
      is_latest: v.version_number === latest,
      is_production: v._id === p.production_version_id,
      is_staging: v._id === p.staging_version_id,
    })));
  });

  router.get('/v1/pathway/:id/version/:versionId', async (req, res) => {
    const p = await pathwayOf(req.orgId, String(req.params.id));
    const ref = String(req.params.versionId);
    if (ref === '0') {
      res.json({ name: p.name, ...decodeGraph(p), version_number: 0, is_latest: true });
      return;
    }
    const v = await findVersion(c, req.orgId, p._id, ref);
    if (!v) throw notFound('Pathway version not found.');
    res.json({
      id: v._id, name: v.name, ...decodeGraph(v), version_number: v.version_number,
      is_latest: v.version_number === (await latestNumber(req.orgId, p._id)),
      created_at: v.created_at.toISOString(),
    });
  });

  router.post('/v1/pathway/:id/version', async (req, res) => {
    const p = await pathwayOf(req.orgId, String(req.params.id));
    const parsed = parseCreateVersion(req.body, p.name, { checkUrl: urlCheck(deps) });
    if (!parsed.ok) throw badRequest(parsed.errors, 'Invalid pathway');
    const v = await saveVersion(c, req.orgId, p._id, { ...parsed.value, description: p.description });
    if (!v) throw notFound('Pathway not found.');
    res.json({
      status: 'success',
      message: 'Version created successfully',
      data: { created_at: v.created_at.toISOString(), id: v._id, name: v.name, version_number: v.version_number },
    });
  });

  router.delete('/v1/pathway/:id/version/:versionId', async (req, res) => {
    const p = await pathwayOf(req.orgId, String(req.params.id));
    const v = await findVersion(c, req.orgId, p._id, String(req.params.versionId));
    if (!v) throw notFound('Pathway version not found.');
    if (v._id === p.production_version_id || v._id === p.staging_version_id) {
      throw badRequest(['This version is published; publish another version first.'], 'Cannot archive a published version');
    }
    await c.versions.updateOne({ _id: v._id, org_id: req.orgId }, { $set: { archived: true } });
    res.json({ status: 'success', message: 'Version deleted successfully' });
  });

  router.post('/v1/pathway/:id/publish', async (req, res) => {
    const p = await pathwayOf(req.orgId, String(req.params.id));
    const parsed = parsePublish(req.body);
    if (!parsed.ok) throw badRequest(parsed.errors);
    const v: PathwayVersionDoc | null = await findVersion(c, req.orgId, p._id, parsed.value.versionRef);
    if (!v) throw notFound('Pathway version not found.');
    const field = parsed.value.environment === 'staging' ? 'staging_version_id' : 'production_version_id';
    await c.pathways.updateOne({ _id: p._id, org_id: req.orgId }, { $set: { [field]: v._id, updated_at: new Date() } });
    res.json({
      status: 'success',
      message: 'Pathway published successfully',
      version_id: v._id,
      version_number: v.version_number,
      environment: parsed.value.environment,
    });
  });

  return router;
}
