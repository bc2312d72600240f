import { z } from 'zod';
import { PathwayEdgesSchema, PathwayNodesSchema, withGraphRules } from '../../src/pathway/graph-schema';
import {
  FolderPathwaySchema,
  FolderResultSchema,
  FolderSchema,
  PathwaySchema,
  VersionDetailSchema,
  VersionSummarySchema,
} from '../../src/presenters/pathway';
import { AS_IS, enumOf, LABEL, optional, str, text } from '../../src/validation/fields';
import { pathId, success } from '../contract/common';
import { endpoint } from '../contract/endpoint';

/** Pathways, their versions and folders: the pathway's graph is checked by its domain schemas (src/pathway). */

const BODY = { error: 'Request body must be a JSON object.' };
const tags = ['Pathways'];
const folderTags = ['Pathway folders'];

const PathwayParams = z.object({ pathway_id: pathId('The pathway_id returned by Create Pathway') });
const VersionParams = PathwayParams.extend({ version_id: pathId('A version number or a version id; 0 is the live graph') });
const FolderParams = z.object({ folder_id: pathId('The folder_id returned by Create Folder') });

const name = text(200).describe('The pathway\'s name');
const description = optional(str(5000));
/** A folder id, or none: null or '' is the root. */
const folderRef = optional(z.string({ error: `${LABEL} must be a string or null.` }).max(200, { error: `${LABEL} must be at most 200 characters.` }))
  .describe('A folder id; null or empty for the root');

// --- Pathways ---

export const listPathways = endpoint({
  method: 'get',
  path: '/v1/pathway',
  summary: 'List pathways',
  description: 'The organisation\'s pathways with their live graphs, newest first (at most 1,000).',
  tags,
  access: 'apiKey',
  responses: { 200: { description: 'The pathways', schema: z.array(PathwaySchema) } },
});

export const createPathway = endpoint({
  method: 'post',
  path: '/v1/pathway/create',
  summary: 'Create a pathway',
  description: 'An empty pathway; its graph is saved by Update Pathway.',
  tags,
  access: 'apiKey',
  body: z.object({ name, description }, BODY),
  responses: { 200: { description: 'Created', schema: success({ pathway_id: z.string() }) } },
});

export const getPathway = endpoint({
  method: 'get',
  path: '/v1/pathway/{pathway_id}',
  summary: 'Get a pathway',
  tags,
  access: 'apiKey',
  params: PathwayParams,
  responses: { 200: { description: 'The pathway with its live graph', schema: PathwaySchema } },
  errors: [404],
});

export const updatePathway = endpoint({
  method: 'post',
  path: '/v1/pathway/{pathway_id}',
  summary: 'Update a pathway',
  description:
    'Name, description, nodes and edges. A graph change is saved as a new version first, then becomes the live graph. ' +
    'Sending only nodes (or only edges) checks them against the stored other half. Webhook node URLs follow the outbound URL rule of tools.',
  tags,
  access: 'apiKey',
  params: PathwayParams,
  body: withGraphRules(
    z.object({ name: optional(name), description, nodes: optional(PathwayNodesSchema), edges: optional(PathwayEdgesSchema) }, BODY),
    { both: true },
  ),
  responses: {
    200: {
      description: 'Updated',
      schema: success({ version_number: z.number().int().optional().describe('The version saved, when the graph changed'), pathway_data: PathwaySchema }),
    },
  },
  errors: [404],
});

export const deletePathway = endpoint({
  method: 'delete',
  path: '/v1/pathway/{pathway_id}',
  summary: 'Delete a pathway',
  description: 'Its versions are archived: calls already running on one keep their graph.',
  tags,
  access: 'apiKey',
  params: PathwayParams,
  responses: { 200: { description: 'Deleted', schema: success({ pathway_id: z.string() }) } },
  errors: [404],
});

// --- Versions ---

export const listVersions = endpoint({
  method: 'get',
  path: '/v1/pathway/{pathway_id}/versions',
  summary: 'List versions',
  tags,
  access: 'apiKey',
  params: PathwayParams,
  responses: { 200: { description: 'The versions, oldest first', schema: z.array(VersionSummarySchema) } },
  errors: [404],
});

export const getVersion = endpoint({
  method: 'get',
  path: '/v1/pathway/{pathway_id}/version/{version_id}',
  summary: 'Get a version',
  description: 'By number or id; 0 is the live graph.',
  tags,
  access: 'apiKey',
  params: VersionParams,
  responses: { 200: { description: 'The version with its graph', schema: VersionDetailSchema } },
  errors: [404],
});

export const createVersion = endpoint({
  method: 'post',
  path: '/v1/pathway/{pathway_id}/version',
  summary: 'Create a version',
  description: 'Saves a graph as a new version without changing the live graph. An absent name is the pathway\'s.',
  tags,
  access: 'apiKey',
  params: PathwayParams,
  body: withGraphRules(z.object({ name: optional(str(200)), nodes: optional(PathwayNodesSchema), edges: optional(PathwayEdgesSchema) }, BODY)),
  responses: {
    200: {
      description: 'Created',
      schema: success({ data: z.object({ created_at: z.string().meta({ format: 'date-time' }), id: z.string(), name: z.string(), version_number: z.number().int() }) }),
    },
  },
  errors: [404],
});

export const deleteVersion = endpoint({
  method: 'delete',
  path: '/v1/pathway/{pathway_id}/version/{version_id}',
  summary: 'Archive a version',
  description: 'A published version cannot be archived (400); publish another one first.',
  tags,
  access: 'apiKey',
  params: VersionParams,
  responses: { 200: { description: 'Archived', schema: success({}) } },
  errors: [404],
});

const VERSION_REF = { error: `${AS_IS}version_id is required: a version number or a version id.` };

export const publishVersion = endpoint({
  method: 'post',
  path: '/v1/pathway/{pathway_id}/publish',
  summary: 'Publish a version',
  description: 'Promotes a version to production (what calls and chats run by default) or staging.',
  tags,
  access: 'apiKey',
  params: PathwayParams,
  body: z.object(
    {
      version_id: z
        .union([z.number(VERSION_REF).int(VERSION_REF).min(1, VERSION_REF), z.string(VERSION_REF).trim().min(1, VERSION_REF).max(200, VERSION_REF)], VERSION_REF)
        .transform(String)
        .describe('A version number or a version id'),
      environment: optional(enumOf(['production', 'staging'])).meta({ default: 'production' }),
    },
    BODY,
  ),
  responses: {
    200: {
      description: 'Published',
      schema: success({ version_id: z.string(), version_number: z.number().int(), environment: z.enum(['production', 'staging']) }),
    },
  },
  errors: [404],
});

// --- Folders ---

export const listFolders = endpoint({
  method: 'get',
  path: '/v1/pathway/folders',
  summary: 'List folders',
  tags: folderTags,
  access: 'apiKey',
  responses: { 200: { description: 'Every folder of the organisation', schema: z.object({ folders: z.array(FolderSchema) }) } },
});

export const folderPathways = endpoint({
  method: 'get',
  path: '/v1/pathway/folders/{folder_id}/pathways',
  summary: 'Pathways in a folder',
  tags: folderTags,
  access: 'apiKey',
  params: FolderParams,
  responses: { 200: { description: 'The folder\'s pathways', schema: z.object({ pathways: z.array(FolderPathwaySchema) }) } },
  errors: [404],
});

export const createFolder = endpoint({
  method: 'post',
  path: '/v1/pathway/folders',
  summary: 'Create a folder',
  tags: folderTags,
  access: 'apiKey',
  body: z.object({ name: text(200), parent_folder_id: folderRef }, BODY),
  responses: { 200: { description: 'Created', schema: FolderResultSchema } },
  errors: [404],
});

export const renameFolder = endpoint({
  method: 'patch',
  path: '/v1/pathway/folders/{folder_id}',
  summary: 'Rename a folder',
  tags: folderTags,
  access: 'apiKey',
  params: FolderParams,
  body: z.object({ name: text(200) }, BODY),
  responses: { 200: { description: 'Renamed', schema: FolderResultSchema } },
  errors: [404],
});

export const deleteFolder = endpoint({
  method: 'delete',
  path: '/v1/pathway/folders/{folder_id}',
  summary: 'Delete a folder',
  description: 'Only an empty folder (409 while it holds pathways or folders).',
  tags: folderTags,
  access: 'apiKey',
  params: FolderParams,
  responses: { 200: { description: 'Deleted', schema: z.object({ folder_id: z.string() }) } },
  errors: [404, 409],
});

export const movePathway = endpoint({
  method: 'post',
  path: '/v1/pathway/folders/move',
  summary: 'Move a pathway to a folder',
  tags: folderTags,
  access: 'apiKey',
  body: z.object({ pathway_id: text(200), folder_id: folderRef }, BODY),
  responses: {
    200: {
      description: 'Moved',
      schema: z.object({ pathway_id: z.string(), old_folder_id: z.string().nullable(), new_folder_id: z.string().nullable() }),
    },
  },
  errors: [404],
});

export const PATHWAY_ENDPOINTS = [
  listPathways, createPathway, getPathway, updatePathway, deletePathway,
  listVersions, getVersion, createVersion, deleteVersion, publishVersion,
  listFolders, folderPathways, createFolder, renameFolder, deleteFolder, movePathway,
];
