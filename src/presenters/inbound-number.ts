import { z } from 'zod';
import { INBOUND_AGENT_FIELDS, type InboundAgentConfig, type InboundNumberDoc } from '../numbers/types';

const isoString = z.string().meta({ format: 'date-time' });
const json = z.record(z.string(), z.unknown());
const DEFAULT_MAX_DURATION_MINUTES = 30;

/** A number's agent settings, every field present (null when unset): the `updates` of Update Inbound Details. */
export const InboundAgentSchema = z.object({
  prompt: z.string().nullable(),
  pathway_id: z.string().nullable(),
  voice: z.string().nullable(),
  background_track: z.string().nullable(),
  first_sentence: z.string().nullable(),
  wait_for_greeting: z.boolean().nullable(),
  interruption_threshold: z.number().nullable(),
  model: z.string().nullable(),
  tools: z.array(z.unknown()).nullable(),
  language: z.string().nullable(),
  timezone: z.string().nullable(),
  transfer_phone_number: z.string().nullable(),
  transfer_list: z.record(z.string(), z.string()).nullable(),
  dynamic_data: z.array(json).nullable(),
  keywords: z.array(z.string()).nullable(),
  max_duration: z.union([z.number(), z.string()]).describe('Minutes; 30 when unset'),
  webhook: z.string().nullable(),
  analysis_schema: json.nullable(),
  metadata: json.nullable(),
  summary_prompt: z.string().nullable(),
  analysis_prompt: z.string().nullable(),
  record: z.boolean().describe('false when unset'),
  sip_header_variables: z.record(z.string(), z.string()).nullable().describe('SIP header name → prompt variable name (seed 002)'),
  ingest_lookup_key: z.string().nullable().describe('The SIP header whose value is the data-source lookup key (seed 002)'),
});

/** GET /v1/inbound/{phone_number} and each entry of GET /v1/inbound. */
export const InboundNumberSchema = InboundAgentSchema.extend({
  created_at: isoString,
  phone_number: z.string(),
  source: z.enum(['purchased', 'own_account']).describe('Bought through POST /numbers/purchase, or inserted from your own Twilio account'),
});

/** GET /v1/outbound: a number calls can be sent from. */
export const OutboundNumberSchema = z.object({
  created_at: isoString,
  phone_number: z.string(),
  last_initiated: isoString.nullable().describe('When a call last went out from this number'),
});

export function inboundAgentSettings(agent: InboundAgentConfig): z.output<typeof InboundAgentSchema> {
  const out: Record<string, unknown> = {};
  for (const field of INBOUND_AGENT_FIELDS) out[field] = agent[field] ?? null;
  out.max_duration = agent.max_duration ?? DEFAULT_MAX_DURATION_MINUTES;
  out.record = agent.record ?? false;
  return out as z.output<typeof InboundAgentSchema>;
}

export function inboundNumber(doc: InboundNumberDoc): z.output<typeof InboundNumberSchema> {
  return {
    created_at: new Date(doc.created_at).toISOString(),
    phone_number: doc.phone_number,
    source: doc.source,
    ...inboundAgentSettings(doc.agent),
  };
}

export function outboundNumber(doc: Pick<InboundNumberDoc, 'created_at' | 'phone_number' | 'last_initiated'>): z.output<typeof OutboundNumberSchema> {
  return {
    created_at: new Date(doc.created_at).toISOString(),
    phone_number: doc.phone_number,
    last_initiated: doc.last_initiated ? new Date(doc.last_initiated).toISOString() : null,
  };
}
