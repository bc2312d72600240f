import type { Collection } from 'mongodb';

/**
 * The agent that answers a number's incoming calls: the stored subset of Send Call's parameters
 * (seed 003, Update Inbound Details) plus seed 002's SIP header mapping. Absent fields are unset.
 */
export const INBOUND_AGENT_FIELDS = [
  'prompt',
  'pathway_id',
  'voice',
  'background_track',
  'first_sentence',
  'wait_for_greeting',
  'interruption_threshold',
  'model',
  'tools',
  'language',
  'timezone',
  'transfer_phone_number',
  'transfer_list',
  'dynamic_data',
  'keywords',
  'max_duration',
  'webhook',
  'analysis_schema',
  'metadata',
  'summary_prompt',
  'analysis_prompt',
  'record',
  'sip_header_variables',
  'ingest_lookup_key',
] as const;

export type InboundAgentField = (typeof INBOUND_AGENT_FIELDS)[number];
export type InboundAgentConfig = Partial<Record<InboundAgentField, unknown>>;

/**
 * One phone number of an organisation. `_id` is the number itself (E.164): a number rings in one
 * place, so it belongs to one organisation at most, and the carrier's voice webhook finds it by
 * its `To` with a bare `_id` read.
 */
export interface InboundNumberDoc {
  _id: string;
  org_id: string;
  phone_number: string;
  /** Bought through POST /numbers/purchase on the server's account, or inserted from the organisation's own (encrypted_key). */
  source: 'purchased' | 'own_account';
  /** The carrier's id of the number (Twilio: PN…). */
  provider_sid: string;
  /** The carrier account holding the number (Twilio Account SID). */
  account_sid: string;
  /** The sealed account (sha256 of its encrypted_key) for own-account numbers; null for purchased ones. */
  carrier_account_id: string | null;
  agent: InboundAgentConfig;
  created_at: Date;
  updated_at: Date;
  /** When a call last went out from this number (it is also a caller ID: GET /v1/outbound). */
  last_initiated: Date | null;
}

export async function ensureInboundNumberIndexes(numbers: Collection<InboundNumberDoc>): Promise<void> {
  await Promise.all([
    numbers.createIndex({ org_id: 1, created_at: -1 }),
    numbers.createIndex({ org_id: 1, carrier_account_id: 1, created_at: -1 }),
  ]);
}
