import { z } from 'zod';
import { decodeGraph } from '../db/pathway-store';
import type { PathwayDoc, PathwayFolderDoc, PathwayVersionDoc } from '../db/pathway-types';

const isoString = z.string().meta({ format: 'date-time' });
/** Nodes and edges are the user's own JSON, returned as saved. */
const graphFields = {
  nodes: z.array(z.object({ id: z.string(), type: z.string(), data: z.record(z.string(), z.unknown()) }).describe('A node, with any other fields it was saved with')),
  edges: z.array(z.object({ id: z.string(), source: z.string(), target: z.string(), label: z.string().nullish() }).describe('An edge, with any other fields it was saved with')),
};

/** A pathway with its live graph (GET /v1/pathway, GET and POST /v1/pathway/{pathway_id}). */
export const PathwaySchema = z.object({
  pathway_id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  ...graphFields,
  folder_id: z.string().nullable(),
  production_version_id: z.string().nullable(),
  staging_version_id: z.string().nullable(),
  created_at: isoString,
  updated_at: isoString,
});

export const presentPathway = (p: PathwayDoc): z.infer<typeof PathwaySchema> => ({
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

export const FolderSchema = z.object({ id: z.string(), name: z.string(), parent_folder_id: z.string().nullable() });
export const presentFolder = (f: PathwayFolderDoc): z.infer<typeof FolderSchema> => ({ id: f._id, name: f.name, parent_folder_id: f.parent_folder_id });

/** A folder as the folder operations answer (the seed names its id `folder_id` there). */
export const FolderResultSchema = z.object({ folder_id: z.string(), name: z.string(), parent_folder_id: z.string().nullable() });
export const presentFolderResult = (f: PathwayFolderDoc): z.infer<typeof FolderResultSchema> => ({
  folder_id: f._id,
  name: f.name,
  parent_folder_id: f.parent_folder_id,
});

/** A pathway as a folder lists it: no graph. */
export const FolderPathwaySchema = z.object({ id: z.string(), name: z.string(), description: z.string().nullable(), created_at: isoString });
export const presentFolderPathway = (p: PathwayDoc): z.infer<typeof FolderPathwaySchema> => ({
  id: p._id,
  name: p.name,
  description: p.description,
  created_at: p.created_at.toISOString(),
});

/** A version in GET /v1/pathway/{pathway_id}/versions. */
export const VersionSummarySchema = z.object({
  id: z.string(),
  version_number: z.number().int(),
  created_at: isoString,
  name: z.string(),
  is_latest: z.boolean(),
  is_production: z.boolean(),
  is_staging: z.boolean(),
});

export function presentVersionSummary(v: PathwayVersionDoc, p: PathwayDoc, latest: number | undefined): z.infer<typeof VersionSummarySchema> {
  return {
    id: v._id,
    version_number: v.version_number,
    created_at: v.created_at.toISOString(),
    name: v.name,
    is_latest: v.version_number === latest,
    is_production: v._id === p.production_version_id,
    is_staging: v._id === p.staging_version_id,
  };
}

/** A version with its graph; version 0 is the live graph (no id, no created_at). */
export const VersionDetailSchema = z.object({
  id: z.string().optional(),
  name: z.string(),
  ...graphFields,
  version_number: z.number().int(),
  is_latest: z.boolean(),
  created_at: isoString.optional(),
});

export const presentLiveVersion = (p: PathwayDoc): z.infer<typeof VersionDetailSchema> => ({ name: p.name, ...decodeGraph(p), version_number: 0, is_latest: true });

export const presentVersion = (v: PathwayVersionDoc, isLatest: boolean): z.infer<typeof VersionDetailSchema> => ({
  id: v._id,
  name: v.name,
  ...decodeGraph(v),
  version_number: v.version_number,
  is_latest: isLatest,
  created_at: v.created_at.toISOString(),
});
