import { randomBytes, randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { PathwayEdge, PathwayGraph, PathwayNode } from '../pathway/types';
import type { PathwayDoc, PathwayFolderDoc, PathwayVersionDoc } from './pathway-types';

/**
 * Pathways, their versions and folders. Every query filters by org_id. FerretDB has no
 * transactions, so a save validates first, then numbers the version atomically ($inc), then
 * writes the immutable version, and only then points the pathway at the new graph: a failure
 * leaves at worst an unused version number, never a pathway whose graph was not validated.
 */
export interface PathwayCollections {
  pathways: Collection<PathwayDoc>;
  versions: Collection<PathwayVersionDoc>;
  folders: Collection<PathwayFolderDoc>;
}

export function pathwayCollections(db: Db): PathwayCollections {
  return {
    pathways: db.collection<PathwayDoc>('pathways'),
    versions: db.collection<PathwayVersionDoc>('pathway_versions'),
    folders: db.collection<PathwayFolderDoc>('folders'),
  };
}

export async function ensurePathwayIndexes(db: Db): Promise<void> {
  const c = pathwayCollections(db);
  await Promise.all([
    c.pathways.createIndex({ org_id: 1, created_at: -1 }),
    c.pathways.createIndex({ org_id: 1, folder_id: 1 }),
    c.versions.createIndex({ org_id: 1, pathway_id: 1, version_number: 1 }),
    c.folders.createIndex({ org_id: 1, parent_folder_id: 1 }),
  ]);
}

export const newPathwayId = (): string => randomUUID();
export const newVersionId = (): string => `pv_${randomBytes(10).toString('hex')}`;
export const newFolderId = (): string => `folder_${randomBytes(8).toString('hex')}`;

export const encodeGraph = (g: PathwayGraph): string => JSON.stringify({ nodes: g.nodes, edges: g.edges });

export function decodeGraph(doc: { graph_json: string }): PathwayGraph {
  const g = JSON.parse(doc.graph_json) as Partial<PathwayGraph>;
  return { nodes: g.nodes ?? [], edges: g.edges ?? [] };
}

export interface GraphContent {
  name: string;
  description: string | null;
  nodes: PathwayNode[];
  edges: PathwayEdge[];
}

/** Stores a new immutable version of an (already validated) graph; null if the pathway is not the org's. */
export async function saveVersion(c: PathwayCollections, orgId: string, pathwayId: string, content: GraphContent): Promise<PathwayVersionDoc | null> {
  const numbered = await c.pathways.findOneAndUpdate(
    { _id: pathwayId, org_id: orgId },
    { $inc: { version_count: 1 } },
    { returnDocument: 'after' },
  );
  if (!numbered) return null;
  const doc: PathwayVersionDoc = {
    _id: newVersionId(),
    org_id: orgId,
    pathway_id: pathwayId,
    version_number: numbered.version_count,
    name: content.name,
    description: content.description,
    graph_json: encodeGraph(content),
    archived: false,
    created_at: new Date(),
  };
  await c.versions.insertOne(doc);
  return doc;
}

/** A version by its id (`pv_…`) or its number ("3" or 3); archived ones are not found. */
export async function findVersion(c: PathwayCollections, orgId: string, pathwayId: string, ref: string | number): Promise<PathwayVersionDoc | null> {
  const text = String(ref).trim();
  const filter = /^\d+$/.test(text)
    ? { org_id: orgId, pathway_id: pathwayId, version_number: Number(text), archived: false }
    : { _id: text, org_id: orgId, pathway_id: pathwayId, archived: false };
  return c.versions.findOne(filter);
}

/** The version a new call or chat runs: the one named, else production, else the latest saved. */
export async function resolveRunVersion(
  c: PathwayCollections,
  orgId: string,
  pathwayId: string,
  ref: string | number | null,
): Promise<{ pathway: PathwayDoc; version: PathwayVersionDoc } | { error: 'pathway' | 'version' }> {
  const pathway = await c.pathways.findOne({ _id: pathwayId, org_id: orgId });
  if (!pathway) return { error: 'pathway' };
  let version: PathwayVersionDoc | null;
  if (ref !== null && String(ref) !== '0') version = await findVersion(c, orgId, pathwayId, ref);
  else if (pathway.production_version_id) version = await findVersion(c, orgId, pathwayId, pathway.production_version_id);
  else version = await c.versions.find({ org_id: orgId, pathway_id: pathwayId, archived: false }).sort({ version_number: -1 }).limit(1).next();
  return version ? { pathway, version } : { error: 'version' };
}
