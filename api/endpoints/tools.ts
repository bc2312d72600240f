import { z } from 'zod';
import { DynamicDataRunSchema } from '../../src/presenters/dynamic-data';
import { SavedToolSchema } from '../../src/presenters/tool';
import { parseAllowList } from '../../src/net/allow-list';
import { dynamicDataList } from '../../src/dynamic-data/validate';
import { obj, optional } from '../../src/validation/fields';
import { pathId, success, warnings } from '../contract/common';
import { endpoint } from '../contract/endpoint';
import { toolBody } from '../schemas/tool';

/**
 * The URL rule depends on the operator's allow-list, known when the app is built: the routers
 * validate with the same schemas built for it (`withAllowList`); these describe them.
 */
export const DESCRIBED_CONTEXT = { allowList: parseAllowList('') };

const tags = ['Custom tools'];
const ToolIdParams = z.object({ tool_id: pathId('The TL- id returned when the tool was created') });
const saved = { description: 'Saved', schema: success({ tool_id: z.string(), warnings }) };

export const createTool = endpoint({
  method: 'post',
  path: '/v1/tools',
  summary: 'Create a custom tool',
  description: 'Unknown fields are dropped and named in `warnings`.',
  tags,
  access: 'apiKey',
  body: toolBody(DESCRIBED_CONTEXT),
  responses: { 200: saved },
});

export const listTools = endpoint({
  method: 'get',
  path: '/v1/tools',
  summary: "List the organisation's custom tools",
  tags,
  access: 'apiKey',
  responses: { 200: { description: 'The tools, newest first', schema: success({ tools: z.array(SavedToolSchema) }) } },
});

export const getTool = endpoint({
  method: 'get',
  path: '/v1/tools/{tool_id}',
  summary: 'Read a custom tool',
  tags,
  access: 'apiKey',
  params: ToolIdParams,
  responses: { 200: { description: 'The tool', schema: success({ tool: SavedToolSchema }) } },
  errors: [404],
});

export const updateTool = endpoint({
  method: 'post',
  path: '/v1/tools/{tool_id}',
  summary: 'Update (replace) a custom tool',
  description: 'Like creation, needs a complete, valid tool. Calls already placed keep the definition they started with.',
  tags,
  access: 'apiKey',
  params: ToolIdParams,
  body: toolBody(DESCRIBED_CONTEXT),
  responses: { 200: saved },
  errors: [404],
});

export const deleteTool = endpoint({
  method: 'delete',
  path: '/v1/tools/{tool_id}',
  summary: 'Delete a custom tool',
  tags,
  access: 'apiKey',
  params: ToolIdParams,
  responses: { 200: { description: 'Deleted', schema: success({}) } },
  errors: [404],
});

export const dynamicDataBody = (ctx: typeof DESCRIBED_CONTEXT) =>
  z.looseObject(
    {
      dynamic_data: dynamicDataList(ctx).describe('The entries, run in order as a call runs them'),
      variables: optional(obj(65_536)).describe("Stand-ins for the call's variables, e.g. {\"phone_number\": \"+15551234567\"}"),
      request_data: optional(obj(65_536)).describe('Read when `variables` is absent'),
    },
    { error: 'Request body must be a JSON object.' },
  );

export const testDynamicData = endpoint({
  method: 'post',
  path: '/v1/dynamic_data/test',
  summary: 'Run dynamic_data requests without a call',
  description:
    'Runs the entries in order, as a call would, within a total time budget of 30 s for the whole request (DYNAMIC_DATA_TEST_BUDGET_MS). ' +
    "Each entry's timeout is clipped to what is left of the budget; entries not reached in time are not sent and are answered with " +
    '`ok: false`, `status: null` and an `error` starting with `not_run:`.',
  tags,
  access: 'apiKey',
  body: dynamicDataBody(DESCRIBED_CONTEXT),
  responses: {
    200: {
      description: 'The configuration, each response and the variables',
      schema: success({
        config: z.array(z.unknown()).describe('dynamic_data as sent'),
        responses: z.array(DynamicDataRunSchema),
        variables: z.record(z.string(), z.unknown()),
        context: z.array(z.string()),
      }),
    },
  },
});

export const TOOL_ENDPOINTS = [createTool, listTools, getTool, updateTool, deleteTool, testDynamicData];
