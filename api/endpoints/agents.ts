import { z } from 'zod';
import { SESSION_TOKEN_TTL_MS } from '../../src/agents/session-tokens';
import { AgentSchema } from '../../src/presenters/agent';
import { pathId, success, warnings } from '../contract/common';
import { endpoint } from '../contract/endpoint';
import { CreateAgentBody, UpdateAgentBody } from '../schemas/agent';

const tags = ['Web agents'];
export const AgentIdParams = z.object({ agent_id: pathId('The agent_id returned by Create Web Agent') });

const CreatedAgentSchema = z.object({
  status: z.literal('success'),
  call_id: z.string().describe('The agent_id again: the seed\'s response table names this field, and Bland\'s Python client requires it'),
  agent: AgentSchema,
  warnings,
});

export const createAgent = endpoint({
  method: 'post',
  path: '/v1/agents',
  summary: 'Create Web Agent',
  description:
    'Stores an agent for web sessions (docs/web-agents.md). Voice, tools, dynamic_data, pathway_id and webhook are checked as a call\'s are; ' +
    'fields a pathway overrides are kept but named in `warnings`.',
  tags,
  access: 'apiKey',
  body: CreateAgentBody,
  responses: { 200: { description: 'The agent (the seed\'s example), with the seed\'s table\'s status and call_id', schema: CreatedAgentSchema } },
  errors: [404],
});

/** Bland's Python client (bland 0.3.0, `web_agents.create`) posts to /v1/agents/agents; agent ids are UUIDs, so the path is free. */
export const createAgentClientPath = endpoint({
  ...createAgent,
  path: '/v1/agents/agents',
  summary: 'Create Web Agent (the path Bland\'s Python client uses)',
  description: 'The same as POST /v1/agents.',
});

export const listAgents = endpoint({
  method: 'get',
  path: '/v1/agents',
  summary: 'List Web Agents',
  tags,
  access: 'apiKey',
  responses: { 200: { description: 'The organisation\'s agents, newest first', schema: z.object({ agents: z.array(AgentSchema) }) } },
});

export const getAgent = endpoint({
  method: 'get',
  path: '/v1/agents/{agent_id}',
  summary: 'Web Agent details',
  description: 'Our addition: one agent, as List Web Agents shows it.',
  tags,
  access: 'apiKey',
  params: AgentIdParams,
  responses: { 200: { description: 'The agent', schema: z.object({ agent: AgentSchema }) } },
  errors: [404],
});

export const updateAgent = endpoint({
  method: 'post',
  path: '/v1/agents/{agent_id}',
  summary: 'Update Web Agent Settings',
  description:
    'Changes the fields the body names; `null` (and `""` for pathway_id, first_sentence, dynamic_data and webhook) resets a field to its default. ' +
    'A field this API does not know is named in `failed_updates` and not stored.',
  tags,
  access: 'apiKey',
  params: AgentIdParams,
  body: UpdateAgentBody,
  responses: {
    200: {
      description: 'Updated',
      schema: success({
        updates: z.record(z.string(), z.unknown()).describe('The fields the request changed, with their new values'),
        failed_updates: z.record(z.string(), z.string()).describe('Fields this API does not know, not stored, each with why (a wrong value of a known field is a 400 instead)'),
        warnings,
      }),
    },
  },
  errors: [404],
});

export const deleteAgent = endpoint({
  method: 'post',
  path: '/v1/agents/{agent_id}/delete',
  summary: 'Delete Web Agent',
  description: 'Removes the agent; its session tokens stop working.',
  tags,
  access: 'apiKey',
  params: AgentIdParams,
  responses: { 200: { description: 'Deleted', schema: success({}) } },
  errors: [404],
});

export const authorizeAgent = endpoint({
  method: 'post',
  path: '/v1/agents/{agent_id}/authorize',
  summary: 'Authorize a Web Agent Call',
  description:
    `A single-use session token for a browser to open one session with the agent. It expires ${SESSION_TOKEN_TTL_MS / 60_000} minutes after it is issued, ` +
    'works once, only for this agent, and stops working when the agent is deleted. Only its SHA-256 is stored.',
  tags,
  access: 'apiKey',
  params: AgentIdParams,
  responses: {
    200: {
      description: 'The token (shown once)',
      schema: success({ token: z.string(), expires_at: z.string().describe('Our addition: when the token stops working, ISO 8601') }),
    },
  },
  errors: [404],
});

export const AGENT_ENDPOINTS = [createAgent, createAgentClientPath, listAgents, getAgent, updateAgent, deleteAgent, authorizeAgent];
