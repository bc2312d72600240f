import { Router } from 'express';
import { issueSessionToken } from '../../src/agents/session-tokens';
import { mountEndpoint } from '../contract/mount';
import type { ApiDeps } from '../deps';
import { webDemoToken } from '../endpoints/web-demo';
import { notFound } from '../errors';

/** POST /web/demo-token: the built-in page's token in development (WEB_DEMO_TOKENS=true), else 404. */
export function webDemoRouter(deps: ApiDeps): Router {
  const router = Router();
  mountEndpoint(router, webDemoToken, async ({ body }, _req, res) => {
    if (!deps.webDemoTokens) throw notFound('Not found. (Demo tokens are off: the page needs ?token_url= of your backend, see docs/web-agents.md.)');
    const agent = await deps.db.collections.agents.findOne({ _id: body.agent_id }, { projection: { org_id: 1 } });
    if (!agent) throw notFound('Agent not found.');
    const { token, expiresAt } = await issueSessionToken(deps.db, agent.org_id, agent._id);
    res.json({ token, expires_at: expiresAt.toISOString() });
  });
  return router;
}
