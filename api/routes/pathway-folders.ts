import { Router } from 'express';
import { newFolderId, pathwayCollections } from '../../src/db/pathway-store';
import type { PathwayFolderDoc } from '../../src/db/pathway-types';
import { presentFolder, presentFolderPathway, presentFolderResult } from '../../src/presenters/pathway';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { createFolder, deleteFolder, folderPathways, listFolders, movePathway, renameFolder } from '../endpoints/pathways';
import { ApiError, notFound } from '../errors';

/** /v1/pathway/folders: a tree of folders per organisation; a pathway is in one folder or at the root. */
export function pathwayFoldersRouter(deps: ApiDeps): Router {
  const router = Router();
  const c = pathwayCollections(deps.db.db);
  const folderOf = async (orgId: string, id: string) => {
    const f = await c.folders.findOne({ _id: id, org_id: orgId });
    if (!f) throw notFound('Folder not found.');
    return f;
  };

  mountEndpoint(router, listFolders, async (_input, req, res) => {
    const docs = await c.folders.find({ org_id: req.orgId }).sort({ created_at: 1 }).toArray();
    res.json({ folders: docs.map(presentFolder) });
  });

  mountEndpoint(router, folderPathways, async ({ params }, req, res) => {
    const f = await folderOf(req.orgId, params.folder_id);
    const docs = await c.pathways.find({ org_id: req.orgId, folder_id: f._id }).sort({ created_at: 1 }).toArray();
    res.json({ pathways: docs.map(presentFolderPathway) });
  });

  mountEndpoint(router, createFolder, async ({ body }, req, res) => {
    // null or '' is the root.
    const parent = body.parent_folder_id || null;
    if (parent) await folderOf(req.orgId, parent);
    const doc: PathwayFolderDoc = { _id: newFolderId(), org_id: req.orgId, name: body.name, parent_folder_id: parent, created_at: new Date() };
    await c.folders.insertOne(doc);
    res.json(presentFolderResult(doc));
  });

  mountEndpoint(router, renameFolder, async ({ params, body }, req, res) => {
    const f = await c.folders.findOneAndUpdate({ _id: params.folder_id, org_id: req.orgId }, { $set: { name: body.name } }, { returnDocument: 'after' });
    if (!f) throw notFound('Folder not found.');
    res.json(presentFolderResult(f));
  });

  mountEndpoint(router, deleteFolder, async ({ params }, req, res) => {
    const f = await folderOf(req.orgId, params.folder_id);
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

  mountEndpoint(router, movePathway, async ({ body }, req, res) => {
    const target = body.folder_id || null;
    if (target) await folderOf(req.orgId, target);
    const before = await c.pathways.findOneAndUpdate(
      { _id: body.pathway_id, org_id: req.orgId },
      { $set: { folder_id: target, updated_at: new Date() } },
      { returnDocument: 'before' },
    );
    if (!before) throw notFound('Pathway not found.');
    res.json({ pathway_id: before._id, old_folder_id: before.folder_id, new_folder_id: target });
  });

  return router;
}
