/** OpenAPI paths for custom tools and dynamic_data (docs/tools.md says what each does). */
const errorResponse = { $ref: '#/components/responses/Error' };
const auth = [{ apiKey: [] }];
/** POST /v1/tools and POST /v1/tools/{id}: unknown fields are dropped and named in `warnings`. */
const toolSavedAnswer = {
  type: 'object',
  properties: { status: { const: 'success' }, tool_id: { type: 'string' }, warnings: { type: 'array', items: { type: 'string' } } },
};
const toolIdParam = { name: 'tool_id', in: 'path', required: true, schema: { type: 'string', pattern: '^TL-' } };

const toolDefinition = {
  type: 'object',
  required: ['name', 'description', 'url'],
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'Must not contain a reserved word: input, speak, transfer, switch, wait, finish, press, button, say, pause, record, play, dial, hang.' },
    description: { type: 'string' },
    speech: { type: 'string', description: 'Said while the tool runs; `input.speech` from the model wins.' },
    url: { type: 'string', description: 'https; plain http or private addresses only for hosts in OUTBOUND_ALLOWLIST. Templated.' },
    method: { type: 'string', enum: ['GET', 'POST'], default: 'GET' },
    headers: { type: 'object', description: 'Templated ({{input.x}}, call variables).' },
    query: { type: 'object', description: 'Templated; appended to the URL.' },
    body: { oneOf: [{ type: 'object' }, { const: '{{input}}' }], description: 'Templated; sent as JSON. Not sent with GET.' },
    input_schema: { type: 'object', description: 'JSON schema or the seed\'s loose forms ("date": "YYYY-MM-DD"); `example` is shown to the model.' },
    response: { type: 'object', additionalProperties: { type: 'string' }, description: 'Variable name → JSONPath. Without it, the body is {{data}}.' },
    response_data: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, data: { type: 'string' } } } },
    timeout: { type: 'integer', default: 10000, description: 'ms; a call waits at most 120000.' },
    label: { type: 'string' },
    public: { type: 'boolean', default: false },
  },
};

const savedTool = {
  type: 'object',
  properties: { tool_id: { type: 'string' }, label: { type: ['string', 'null'] }, tool: { type: 'object' }, public: { type: 'boolean' } },
};

const dynamicDataEntry = {
  type: 'object',
  required: ['url'],
  properties: {
    url: { type: 'string' },
    method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], default: 'GET' },
    headers: { type: 'object' },
    query: { type: 'object' },
    body: {},
    cache: { type: 'boolean', default: true },
    timeout: { type: 'integer', default: 10000, maximum: 60000 },
    response_data: {
      type: 'array',
      items: { type: 'object', required: ['name', 'data'], properties: { name: { type: 'string' }, data: { type: 'string' }, context: { type: 'string' } } },
    },
  },
};

const ok = (schema: object) => ({ 200: { description: 'OK', content: { 'application/json': { schema } } }, 400: errorResponse, 401: errorResponse, 404: errorResponse });

export const toolPaths = {
  '/v1/tools': {
    post: {
      summary: 'Create a custom tool',
      security: auth,
      requestBody: { required: true, content: { 'application/json': { schema: toolDefinition } } },
      responses: ok(toolSavedAnswer),
    },
    get: {
      summary: "List the organisation's custom tools",
      security: auth,
      responses: ok({ type: 'object', properties: { status: { const: 'success' }, tools: { type: 'array', items: savedTool } } }),
    },
  },
  '/v1/tools/{tool_id}': {
    get: { summary: 'Read a custom tool', security: auth, parameters: [toolIdParam], responses: ok({ type: 'object', properties: { status: { const: 'success' }, tool: savedTool } }) },
    post: {
      summary: 'Update (replace) a custom tool',
      security: auth,
      parameters: [toolIdParam],
      requestBody: { required: true, content: { 'application/json': { schema: toolDefinition } } },
      responses: ok(toolSavedAnswer),
    },
    delete: { summary: 'Delete a custom tool', security: auth, parameters: [toolIdParam], responses: ok({ type: 'object', properties: { status: { const: 'success' }, message: { type: 'string' } } }) },
  },
  '/v1/dynamic_data/test': {
    post: {
      summary: 'Run dynamic_data requests without a call',
      description:
        'Runs the entries in order, as a call would, within a total time budget of 30 s for the whole request (DYNAMIC_DATA_TEST_BUDGET_MS). ' +
        "Each entry's timeout is clipped to what is left of the budget; entries not reached in time are not sent and are answered with " +
        '`ok: false`, `status: null` and an `error` starting with `not_run:`.',
      security: auth,
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { type: 'object', required: ['dynamic_data'], properties: { dynamic_data: { type: 'array', items: dynamicDataEntry }, variables: { type: 'object' } } },
          },
        },
      },
      responses: ok({
        type: 'object',
        properties: {
          status: { const: 'success' },
          config: { type: 'array' },
          responses: { type: 'array', items: { type: 'object' } },
          variables: { type: 'object' },
          context: { type: 'array', items: { type: 'string' } },
        },
      }),
    },
  },
};
