import { agentChanges, AGENT_DEFAULTS, hasBehaviour, newAgentId, overriddenFields, type AgentSettings } from '../../src/agents/agent-fields';
import { deleteAgentSessionTokens, issueSessionToken } from '../../src/agents/session-tokens';
import type { AgentDoc } from '../../src/agents/types';
import type { ApiDeps } from '../deps';
import { badRequest, notFound } from '../errors';
import { resolveCallConfig } from './call-config';
import { resolveCarrierVoice } from './voices';

/** Newest first, bounded: a listing never grows without limit. */
const MAX_LISTED = 1000;

/** The organisation's agent, or a 404 (another organisation's included). */
export async function ownAgent(deps: ApiDeps, orgId: string, agentId: string): Promise<AgentDoc> {
  const doc = await deps.db.collections.agents.findOne({ _id: agentId, org_id: orgId });
  if (!doc) throw notFound('Agent not found.');
  return doc;
}

/**
 * What the changed fields refer to, checked by the code that checks a call's: the webhook's
 * address (the save-time URL rule), tools (inline, TL- and KB- ids of the organisation) and
 * dynamic_data, the pathway (404 when unknown) and the voice (400 when unknown). Nothing is stored
 * before this passes.
 */
async function checkReferences(deps: ApiDeps, orgId: string, changes: Partial<AgentSettings>): Promise<void> {
  const { webhook, tools, dynamic_data, pathway_id, voice } = changes;
  await resolveCallConfig(deps, orgId, { webhook, tools, dynamic_data, pathway_id }, null);
  await resolveCarrierVoice(deps, orgId, voice);
}

const withoutPathway = 'An agent needs a prompt or a pathway_id: give prompt, or keep the pathway.';

function overrideWarnings(agent: AgentSettings, changes: Partial<AgentSettings>): string[] {
  const unused = overriddenFields(agent, changes);
  return unused.length === 0 ? [] : [`${unused.join(', ')}: stored, but unused while pathway_id is set (the pathway overrides them).`];
}

export async function createAgent(deps: ApiDeps, orgId: string, body: Record<string, unknown>): Promise<{ agent: AgentDoc; warnings: string[] }> {
  const changes = agentChanges(body);
  await checkReferences(deps, orgId, changes);
  const now = new Date();
  const agent: AgentDoc = { _id: newAgentId(), org_id: orgId, ...AGENT_DEFAULTS, ...changes, created_at: now, updated_at: now };
  if (!hasBehaviour(agent)) throw badRequest([withoutPathway]);
  await deps.db.collections.agents.insertOne(agent);
  return { agent, warnings: overrideWarnings(agent, changes) };
}

/** Applies the fields the body names; the answer names them with their new values. */
export async function updateAgent(
  deps: ApiDeps,
  orgId: string,
  agentId: string,
  body: Record<string, unknown>,
): Promise<{ agent: AgentDoc; changed: string[]; warnings: string[] }> {
  const before = await ownAgent(deps, orgId, agentId);
  const changes = agentChanges(body);
  await checkReferences(deps, orgId, changes);
  const after: AgentDoc = { ...before, ...changes, updated_at: new Date() };
  if (!hasBehaviour(after)) throw badRequest([withoutPathway]);
  const updated = await deps.db.collections.agents.findOneAndUpdate(
    { _id: agentId, org_id: orgId },
    { $set: { ...changes, updated_at: after.updated_at } },
    { returnDocument: 'after' },
  );
  // Deleted between the read and the write.
  if (!updated) throw notFound('Agent not found.');
  return { agent: updated, changed: Object.keys(changes), warnings: overrideWarnings(updated, changes) };
}

/** Removes the agent, then its session tokens: a token not yet redeemed stops working. */
export async function deleteAgent(deps: ApiDeps, orgId: string, agentId: string): Promise<void> {
  const { deletedCount } = await deps.db.collections.agents.deleteOne({ _id: agentId, org_id: orgId });
  if (deletedCount === 0) throw notFound('Agent not found.');
  await deleteAgentSessionTokens(deps.db, agentId);
}

export async function listAgents(deps: ApiDeps, orgId: string): Promise<AgentDoc[]> {
  return deps.db.collections.agents.find({ org_id: orgId }).sort({ created_at: -1 }).limit(MAX_LISTED).toArray();
}

/** A single-use session token for one of the organisation's agents. */
export async function authorizeAgent(deps: ApiDeps, orgId: string, agentId: string): Promise<{ token: string; expiresAt: Date }> {
  const agent = await ownAgent(deps, orgId, agentId);
  return issueSessionToken(deps.db, orgId, agent._id);
}
