import { z } from 'zod';
import { SESSION_TOKEN_TTL_MS } from '../../src/agents/session-tokens';
import { shape, text } from '../../src/validation/fields';
import { endpoint } from '../contract/endpoint';

/**
 * The built-in page's default token URL (docs/web-agents.md "The page"). Development only: it is a
 * 404 unless the operator sets WEB_DEMO_TOKENS=true, which the configuration refuses in production.
 */
export const webDemoToken = endpoint({
  method: 'post',
  path: '/web/demo-token',
  summary: 'A session token for the built-in page, in development',
  description:
    'Answered only when WEB_DEMO_TOKENS=true (refused with NODE_ENV=production); otherwise 404. Issues a single-use session token for any agent, ' +
    `without a key, as POST /v1/agents/{agent_id}/authorize does with one (it expires after ${SESSION_TOKEN_TTL_MS / 60_000} minutes). ` +
    'A real page gets its token from its own backend.',
  tags: ['Web agents'],
  access: 'public',
  body: shape({ agent_id: text(200).describe('The agent to talk to') }),
  responses: {
    200: { description: 'The token (shown once)', schema: z.object({ token: z.string(), expires_at: z.string().describe('ISO 8601') }) },
  },
  errors: [404],
});

export const WEB_DEMO_ENDPOINTS = [webDemoToken];
