import { Router } from 'express';
import { agentUpdatesView, agentView } from '../../src/presenters/agent';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { authorizeAgent, createAgent, createAgentClientPath, deleteAgent, getAgent, listAgents, updateAgent } from '../endpoints/agents';
import { unknownAgentFields } from '../schemas/agent';
import * as agents from '../services/agents';

const withWarnings = (warnings: string[]) => (warnings.length > 0 ? { warnings } : {});

/** Web agents (seed 003 "Web Agents") at /v1/agents. */
export function agentsRouter(deps: ApiDeps): Router {
  const router = Router();

  // The client's path before /v1/agents/{agent_id}: "agents" is not an agent's id.
  for (const spec of [createAgent, createAgentClientPath]) {
    mountEndpoint(router, spec, async ({ body }, req, res) => {
      const { agent, warnings } = await agents.createAgent(deps, req.orgId, body);
      res.json({ status: 'success', call_id: agent._id, agent: agentView(agent), ...withWarnings(warnings) });
    });
  }

  mountEndpoint(router, listAgents, async (_input, req, res) => {
    res.json({ agents: (await agents.listAgents(deps, req.orgId)).map(agentView) });
  });

  mountEndpoint(router, getAgent, async ({ params }, req, res) => {
    res.json({ agent: agentView(await agents.ownAgent(deps, req.orgId, params.agent_id)) });
  });

  mountEndpoint(router, updateAgent, async ({ params, body }, req, res) => {
    const { agent, changed, warnings } = await agents.updateAgent(deps, req.orgId, params.agent_id, body);
    res.json({
      status: 'success',
      message: `Successfully updated agent ${agent._id}.`,
      updates: agentUpdatesView(agent, changed),
      failed_updates: unknownAgentFields(body),
      ...withWarnings(warnings),
    });
  });

  mountEndpoint(router, deleteAgent, async ({ params }, req, res) => {
    await agents.deleteAgent(deps, req.orgId, params.agent_id);
    res.json({ status: 'success', message: `Successfully deleted agent ${params.agent_id}` });
  });

  mountEndpoint(router, authorizeAgent, async ({ params }, req, res) => {
    const { token, expiresAt } = await agents.authorizeAgent(deps, req.orgId, params.agent_id);
    res.json({ status: 'success', message: 'Session token created.', token, expires_at: expiresAt.toISOString() });
  });

  return router;
}
