import { z } from 'zod';
import type { AgentSettings } from '../agents/agent-fields';
import { AGENT_LANGUAGES, AGENT_MODELS, type AgentDoc } from '../agents/types';

/**
 * A web agent as Create / List Web Agents show it (seed 003): the seed's fields (`voice_settings`
 * and `temperature` are always null: not settable here), then ours.
 */
export const AgentSchema = z.object({
  agent_id: z.string().describe('A UUID'),
  webhook: z.string().nullable(),
  dynamic_data: z.array(z.record(z.string(), z.unknown())).nullable(),
  interruption_threshold: z.number().nullable().describe('null: the default, 100'),
  first_sentence: z.string().nullable(),
  model: z.enum(AGENT_MODELS),
  voice_settings: z.null(),
  voice: z.string().nullable().describe('null: the carrier\'s default voice'),
  prompt: z.string().nullable(),
  temperature: z.null(),
  max_duration: z.number().describe('Minutes'),
  language: z.enum(AGENT_LANGUAGES),
  tools: z.array(z.unknown()).nullable(),
  analysis_schema: z.record(z.string(), z.unknown()).nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  pathway_id: z.string().nullable().describe('When set, the pathway overrides prompt, first_sentence, model, dynamic_data and tools'),
  keywords: z.array(z.string()),
  max_concurrent_sessions: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type AgentView = z.infer<typeof AgentSchema>;

const settingsView = (s: AgentSettings) => ({
  webhook: s.webhook,
  dynamic_data: s.dynamic_data as AgentView['dynamic_data'],
  interruption_threshold: s.interruption_threshold,
  first_sentence: s.first_sentence,
  model: s.model,
  voice: s.voice,
  prompt: s.prompt,
  max_duration: s.max_duration ?? 30,
  language: s.language,
  tools: s.tools,
  analysis_schema: s.analysis_schema,
  metadata: s.metadata,
  pathway_id: s.pathway_id,
  keywords: s.keywords,
  max_concurrent_sessions: s.max_concurrent_sessions,
});

export const agentView = (d: AgentDoc): AgentView => ({
  agent_id: d._id,
  ...settingsView(d),
  voice_settings: null,
  temperature: null,
  created_at: d.created_at.toISOString(),
  updated_at: d.updated_at.toISOString(),
});

/** Update Web Agent's `updates`: the changed fields, as the agent now shows them. */
export function agentUpdatesView(agent: AgentDoc, changed: readonly string[]): Record<string, unknown> {
  const view = settingsView(agent) as Record<string, unknown>;
  return Object.fromEntries(changed.filter((f) => f in view).map((f) => [f, view[f]]));
}
