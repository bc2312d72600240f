import type { Collection } from 'mongodb';
import { ensureTtlIndex } from '../db/ttl-index';

/** The agent languages the Agents API accepts (seed 003). */
export const AGENT_LANGUAGES = ['ENG', 'ESP', 'FRE', 'POL', 'GER', 'ITA', 'PBR', 'POR'] as const;
/** The agent models the Agents API accepts (seed 003). */
export const AGENT_MODELS = ['base', 'enhanced', 'turbo'] as const;
export type AgentLanguage = (typeof AGENT_LANGUAGES)[number];
export type AgentModel = (typeof AGENT_MODELS)[number];

/** Per-agent limit of simultaneous web sessions: default and bounds (docs/web-agents.md). */
export const AGENT_SESSION_LIMITS = { default: 10, min: 1, max: 100 } as const;

/** An agent as stored (collection `agents`, _id = agent_id, a uuid). */
export interface AgentDoc {
  _id: string;
  org_id: string;
  prompt: string | null;
  voice: string | null;
  analysis_schema: Record<string, unknown> | null;
  metadata: Record<string, unknown> | null;
  pathway_id: string | null;
  language: AgentLanguage;
  model: AgentModel;
  first_sentence: string | null;
  tools: unknown[] | null;
  dynamic_data: unknown[] | null;
  interruption_threshold: number | null;
  keywords: string[];
  /** Minutes, as on calls. */
  max_duration: number | null;
  /** Per-agent web limits (documented in docs/web-agents.md): */
  max_concurrent_sessions: number;
  /** Our addition (documented): where the session's post-call webhook goes, checked like a call's `webhook`. */
  webhook: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * A web session token (POST /v1/agents/{id}/authorize). `_id` is the SHA-256 of the token, so the
 * store never holds a usable token; `used_at` is set once, when a session redeems it.
 */
export interface AgentSessionTokenDoc {
  _id: string;
  org_id: string;
  agent_id: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

export async function ensureAgentIndexes(agents: Collection<AgentDoc>, tokens: Collection<AgentSessionTokenDoc>): Promise<void> {
  await Promise.all([
    agents.createIndex({ org_id: 1, created_at: -1 }),
    // Deleting an agent deletes its tokens.
    tokens.createIndex({ agent_id: 1 }),
    ensureTtlIndex(tokens),
  ]);
}
