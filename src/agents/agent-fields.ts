import { randomUUID } from 'node:crypto';
import { AGENT_SESSION_LIMITS, type AgentDoc } from './types';

/** What an agent is made of: everything stored but its identity and times. */
export type AgentSettings = Omit<AgentDoc, '_id' | 'org_id' | 'created_at' | 'updated_at'>;
export type AgentField = keyof AgentSettings;

/** An agent's settings before any are given (seed 003: ENG, enhanced, 30 minutes, no keywords). */
export const AGENT_DEFAULTS: AgentSettings = {
  prompt: null,
  voice: null,
  analysis_schema: null,
  metadata: null,
  pathway_id: null,
  language: 'ENG',
  model: 'enhanced',
  first_sentence: null,
  tools: null,
  dynamic_data: null,
  interruption_threshold: null,
  keywords: [],
  max_duration: 30,
  max_concurrent_sessions: AGENT_SESSION_LIMITS.default,
  webhook: null,
};

export const AGENT_FIELDS = Object.keys(AGENT_DEFAULTS) as AgentField[];

/** The fields a pathway overrides (seed 003): an agent with a pathway runs the pathway instead. */
export const PATHWAY_OVERRIDES = ['prompt', 'first_sentence', 'model', 'dynamic_data', 'tools'] as const satisfies readonly AgentField[];

/** Fields where "" clears, as null does (seed 003 says so for these). */
const EMPTY_CLEARS = new Set<AgentField>(['pathway_id', 'first_sentence', 'dynamic_data', 'webhook']);

export const newAgentId = (): string => randomUUID();

/**
 * The stored values of the fields a (validated) body gives. `null`, and `""` where the seed says
 * so, reset a field to its default; `dynamic_data` as one object is a list of one; `max_duration`
 * as a numeric string is its number. Fields the body does not name are not in the result.
 */
export function agentChanges(body: Record<string, unknown>): Partial<AgentSettings> {
  const out: Record<string, unknown> = {};
  for (const field of AGENT_FIELDS) {
    if (!(field in body) || body[field] === undefined) continue;
    const v = body[field];
    if (v === null || (v === '' && EMPTY_CLEARS.has(field))) out[field] = AGENT_DEFAULTS[field];
    else if (field === 'dynamic_data') out[field] = Array.isArray(v) ? v : [v];
    else if (field === 'max_duration') out[field] = Number(v);
    else out[field] = v;
  }
  return out as Partial<AgentSettings>;
}

/** Fields given alongside a pathway that the pathway overrides: kept, but unused while it is set. */
export function overriddenFields(agent: AgentSettings, given: Partial<AgentSettings>): string[] {
  if (agent.pathway_id === null) return [];
  return PATHWAY_OVERRIDES.filter((f) => given[f] !== undefined && given[f] !== AGENT_DEFAULTS[f]);
}

/**
 * What a session of the agent runs: with a pathway, the overridden fields are at their defaults
 * (the pathway decides); their stored values come back when the pathway is cleared.
 */
export function effectiveAgent(agent: AgentDoc): AgentDoc {
  if (agent.pathway_id === null) return agent;
  const out = { ...agent };
  for (const f of PATHWAY_OVERRIDES) (out as Record<string, unknown>)[f] = AGENT_DEFAULTS[f];
  return out;
}

/** An agent needs something to say: a prompt, or a pathway. */
export const hasBehaviour = (s: Pick<AgentSettings, 'prompt' | 'pathway_id'>): boolean =>
  (s.prompt !== null && s.prompt.trim() !== '') || s.pathway_id !== null;
