import { Router } from 'express';
import { newFolderId, pathwayCollections } from '../../src/db/pathway-store';
import type { PathwayFolderDoc } from '../../src/db/pathway-types';
import { isPlainObject } from '../schemas/field-checks';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest, notFound } from '../errors';

const presentFolder = (f: PathwayFolderDoc) => ({ id: f._id, name: f.name, parent_folder_id: f.parent_folder_id });
const MAX_NAME = 200;

function folderName(body: unknown, errors: string[]): string | undefined {
  const name = isPlainObject(body) ? body.name : undefined;
  if (typeof name !== 'string' || name.trim() === '') errors.push('name is required and must be a non-empty string.');
  else if (name.length > MAX_NAME) errors.push(`name must be at most ${MAX_NAME} characters.`);
  else return name;
  return undefined;
}

/** /v1/pathway/folders: a tree of folders per organisation; a pathway is in one folder or at the root. */
export function pathwayFoldersRouter(deps: ApiDeps): Router {
  const router = Router();
  const c = pathwayCollections(deps.db.db);
  const folderOf = async (orgId: string, id: string) => {
    const f = await c.folders.findOne({ _id: id, org_id: orgId });
    if (!f) throw notFound('Folder not found.');
    return f;
  };
  const optionalId = (v: unknown, label: string, errors: string[]): string | null => {
    if (v === undefined || v === null || v === '') return null;
    if (typeof v !== 'string') errors.push(`${label} must be a string or null.`);
    return typeof v === 'string' ? v : null;
  };

  router.get('/v1/pathway/folders', async (req, res) => {
    const docs = await c.folders.find({ org_id: req.orgId }).sort({ created_at: 1 }).toArray();
    res.json({ folders: docs.map(presentFolder) });
  });

  router.get('/v1/pathway/folders/:id/pathways', async (req, res) => {
    const f = await folderOf(req.orgId, String(req.params.id));
    const docs = await c.pathways.find({ org_id: req.orgId, folder_id: f._id }).sort({ created_at: 1 }).toArray();
    res.json({ pathways: docs.map((p) => ({ id: p._id, name: p.name, description: p.description, created_at: p.created_at.toISOString() })) });
  });

  router.post('/v1/pathway/folders', async (req, res) => {
    const errors: string[] = [];
    const name = folderName(req.body, errors);
    const parent = optionalId(isPlainObject(req.body) ? req.body.parent_folder_id : undefined, 'parent_folder_id', errors);
    if (errors.length > 0) throw badRequest(errors);
    if (parent) await folderOf(req.orgId, parent);
    const doc: PathwayFolderDoc = { _id: newFolderId(), org_id: req.orgId, name: name!, parent_folder_id: parent, created_at: new Date() };
    await c.folders.insertOne(doc);
    res.json({ folder_id: doc._id, name: doc.name, parent_folder_id: doc.parent_folder_id });
  });

  router.patch('/v1/pathway/folders/:id', async (req, res) => {
    const errors: string[] = [];
    const name = folderName(req.body, errors);
    if (errors.length > 0) throw badRequest(errors);
    const f = await c.folders.findOneAndUpdate({ _id: String(req.params.id), org_id: req.orgId }, { $set: { name: name! } }, { returnDocument: 'after' });
    if (!f) throw notFound('Folder not found.');
    res.json({ folder_id: f._id, name: f.name, parent_folder_id: f.parent_folder_id });
  });

  router.delete('/v1/pathway/folders/:id', async (req, res) => {
    const f = await folderOf(req.orgId, String(req.params.id));
    const [pathways, subfolders] = await Promise.all([
      c.pathways.countDocuments({ org_id: req.orgId, folder_id: f._id }),
      c.folders.countDocuments({ org_id: req.orgId, parent_folder_id: f._id }),
    ]);
    if (pathways > 0 || subfolders > 0) {
      throw new ApiError(409, 'The folder is not empty.', [`The folder holds ${pathways} pathway(s) and ${subfolders} folder(s); move them out first.`]);
    }
    await c.folders.deleteOne({ _id: f._id, org_id: req.orgId });
    res.json({ folder_id: f._id });
  });

  router.post('/v1/pathway/folders/move', async (req, res) => {
    const errors: string[] = [];
    const body = isPlainObject(req.body) ? req.body : {};
    if (!isPlainObject(req.body)) errors.push('The request body must be a JSON object.');
    const pathwayId = body.pathway_id;
    if (typeof pathwayId !== 'string' || !pathwayId) errors.push('pathway_id is required.');
    const target = optionalId(body.folder_id, 'folder_id', errors);
    if (errors.length > 0) throw badRequest(errors);
    if (target) await folderOf(req.orgId, target);
    const before = await c.pathways.findOneAndUpdate(
      { _id: pathwayId as string, org_id: req.orgId },
      { $set: { folder_id: target, updated_at: new Date() } },
      { returnDocument: 'before' },
    );
    if (!before) throw notFound('Pathway not found.');
    res.json({ pathway_id: before._id, old_folder_id: before.folder_id, new_folder_id: target });
  });

  return router;
}
