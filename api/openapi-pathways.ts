/** OpenAPI paths of pathways, versions, folders and pathway chat (merged into api/openapi.ts). */
const err = { $ref: '#/components/responses/Error' };
const auth = [{ apiKey: [] }];
const pathwayId = { name: 'pathway_id', in: 'path', required: true, schema: { type: 'string' } };
const versionId = { name: 'version_id', in: 'path', required: true, schema: { type: 'string' }, description: 'Version number or id; 0 = the live graph' };
const folderId = { name: 'folder_id', in: 'path', required: true, schema: { type: 'string' } };
const chatId = { name: 'chat_id', in: 'path', required: true, schema: { type: 'string' } };
const json = (properties: Record<string, unknown>, required: string[] = []) => ({
  required: true,
  content: { 'application/json': { schema: { type: 'object', properties, required } } },
});
const graph = { nodes: { type: 'array', items: { type: 'object' } }, edges: { type: 'array', items: { type: 'object' } } };
const ok = (description: string) => ({ 200: { description } });

export const pathwayPaths = {
  '/v1/pathway': { get: { summary: 'List pathways', security: auth, responses: { ...ok('array of pathways'), 401: err } } },
  '/v1/pathway/create': {
    post: {
      summary: 'Create a pathway',
      security: auth,
      requestBody: json({ name: { type: 'string' }, description: { type: 'string' } }, ['name']),
      responses: { ...ok('`{status, pathway_id}`'), 400: err },
    },
  },
  '/v1/pathway/{pathway_id}': {
    get: { summary: 'Get a pathway', security: auth, parameters: [pathwayId], responses: { ...ok('`{name, description, nodes, edges, …}`'), 404: err } },
    post: {
      summary: 'Update name, description, nodes and edges (a graph change saves a new version)',
      security: auth,
      parameters: [pathwayId],
      requestBody: json({ name: { type: 'string' }, description: { type: 'string' }, ...graph }),
      responses: { ...ok('`{status, message, pathway_data}`'), 400: err, 404: err },
    },
    delete: { summary: 'Delete a pathway', security: auth, parameters: [pathwayId], responses: { ...ok('`{status, message}`'), 404: err } },
  },
  '/v1/pathway/{pathway_id}/versions': {
    get: { summary: 'List versions', security: auth, parameters: [pathwayId], responses: { ...ok('`[{id, version_number, created_at, name, is_latest}]`'), 404: err } },
  },
  '/v1/pathway/{pathway_id}/version': {
    post: {
      summary: 'Create a version',
      security: auth,
      parameters: [pathwayId],
      requestBody: json({ name: { type: 'string' }, ...graph }),
      responses: { ...ok('`{status, message, data: {id, name, version_number, created_at}}`'), 400: err, 404: err },
    },
  },
  '/v1/pathway/{pathway_id}/version/{version_id}': {
    get: { summary: 'Get a version (0 = live)', security: auth, parameters: [pathwayId, versionId], responses: { ...ok('`{name, nodes, edges, version_number, is_latest}`'), 404: err } },
    delete: { summary: 'Archive a version', security: auth, parameters: [pathwayId, versionId], responses: { ...ok('`{status, message}`'), 400: err, 404: err } },
  },
  '/v1/pathway/{pathway_id}/publish': {
    post: {
      summary: 'Promote a version to production or staging',
      security: auth,
      parameters: [pathwayId],
      requestBody: json({ version_id: { type: ['integer', 'string'] }, environment: { enum: ['production', 'staging'] } }, ['version_id']),
      responses: { ...ok('`{status, message}`'), 400: err, 404: err },
    },
  },
  '/v1/pathway/folders': {
    get: { summary: 'List folders', security: auth, responses: ok('`{folders: [{id, name, parent_folder_id}]}`') },
    post: {
      summary: 'Create a folder',
      security: auth,
      requestBody: json({ name: { type: 'string' }, parent_folder_id: { type: ['string', 'null'] } }, ['name']),
      responses: { ...ok('`{folder_id, name, parent_folder_id}`'), 400: err, 404: err },
    },
  },
  '/v1/pathway/folders/{folder_id}': {
    patch: { summary: 'Rename a folder', security: auth, parameters: [folderId], requestBody: json({ name: { type: 'string' } }, ['name']), responses: { ...ok('`{folder_id, name, parent_folder_id}`'), 400: err, 404: err } },
    delete: { summary: 'Delete an empty folder', security: auth, parameters: [folderId], responses: { ...ok('`{folder_id}`'), 404: err, 409: err } },
  },
  '/v1/pathway/folders/{folder_id}/pathways': {
    get: { summary: 'Pathways in a folder', security: auth, parameters: [folderId], responses: { ...ok('`{pathways: [{id, name, description, created_at}]}`'), 404: err } },
  },
  '/v1/pathway/folders/move': {
    post: {
      summary: 'Move a pathway to a folder (null = root)',
      security: auth,
      requestBody: json({ pathway_id: { type: 'string' }, folder_id: { type: ['string', 'null'] } }, ['pathway_id']),
      responses: { ...ok('`{pathway_id, old_folder_id, new_folder_id}`'), 400: err, 404: err },
    },
  },
  '/v1/pathway/chat/create': {
    post: {
      summary: 'Start a pathway chat (a call workflow on the chat channel)',
      security: auth,
      requestBody: json({ pathway_id: { type: 'string' }, start_node_id: { type: 'string' }, version: { type: ['integer', 'string'] }, request_data: { type: 'object' }, idle_timeout_seconds: { type: 'number' } }, ['pathway_id']),
      responses: { ...ok('`{status, chat_id, message}`'), 400: err, 404: err },
    },
  },
  '/v1/pathway/chat/{chat_id}': {
    post: {
      summary: 'Send a message; answers with the reply, the current node and the history',
      security: auth,
      parameters: [chatId],
      requestBody: json({ message: { type: 'string' } }),
      responses: { ...ok('`{status, chat_id, assistant_response, current_node_id, current_node_name, chat_history, pathway_id}` (and the seed\'s capitalised keys)'), 400: err, 404: err, 409: err },
    },
    get: { summary: 'Chat history', security: auth, parameters: [chatId], responses: { ...ok('`{errors, data: [{role, content}]}`'), 404: err } },
  },
};
