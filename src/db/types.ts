/** Documents of the read model. Field names follow Bland's API so reads map one to one. */

export type QueueStatus =
  | 'new'
  | 'queued'
  | 'allocated'
  | 'started'
  | 'complete'
  | 'pre_queue_error'
  | 'queue_error'
  | 'call_error'
  | 'complete_error';

export type AnsweredBy = 'human' | 'voicemail' | 'unknown' | 'no-answer' | null;
export type CallEndedBy = 'ASSISTANT' | 'USER' | null;
export type Speaker = 'user' | 'assistant' | 'robot' | 'agent-action';

export interface OrgDoc {
  _id: string;
  name: string;
  created_at: Date;
}

export interface ApiKeyDoc {
  /** SHA-256 of the key, hex. The key itself is never stored. */
  _id: string;
  org_id: string;
  prefix: string;
  label: string | null;
  created_at: Date;
}

export interface CallDoc {
  _id: string;
  org_id: string;
  call_id: string;
  c_id: string;
  to: string;
  from: string;
  batch_id: string | null;
  /** A batch call's row index in its batch (batch_rows); absent on calls sent on their own. */
  batch_row?: number;
  campaign_id: string | null;
  inbound: boolean;
  request_data: Record<string, unknown>;
  variables: Record<string, unknown>;
  metadata: Record<string, unknown>;
  queue_status: QueueStatus;
  status: string;
  completed: boolean;
  created_at: Date;
  started_at: Date | null;
  end_at: Date | null;
  ended_at: Date | null;
  call_length: number | null;
  corrected_duration: string | null;
  max_duration: number;
  answered_by: AnsweredBy;
  call_ended_by: CallEndedBy;
  error_message: string | null;
  record: boolean;
  recording_url: string | null;
  summary: string | null;
  price: number | null;
  analysis: Record<string, unknown> | null;
  analysis_schema: Record<string, unknown> | null;
  pathway_logs: unknown[] | null;
  concatenated_transcript: string | null;
  transferred_to: string | null;
  local_dialing: boolean;
  endpoint_url: string;
  provider_call_sid: string | null;
  /** The dial attempt `provider_call_sid` belongs to. */
  dial_attempt?: number;
  /** Set just before a dial, so a retried dial can look for a call it may already have placed. */
  dialing_since?: Date | null;
  attempts?: Array<{ attempt: number; status: string; answered_by: string | null; provider_call_sid: string | null; ended_at: string }>;
  workflow_id: string;
  simulated: boolean;
  /** `chat` (a pathway chat) or `web` (a web agent's session); absent on phone calls. */
  channel?: 'phone' | 'chat' | 'web';
  /** A web session's agent. */
  agent_id?: string;
}

/** A line of a call's final transcript: a TranscriptDoc without the call's keys. */
export type FinalTranscriptLine = Pick<TranscriptDoc, '_id' | 'seq' | 'text' | 'user' | 'created_at'>;

/**
 * A finished call's whole transcript in one document (`_id` = the call's ID), written once by its
 * final record (src/db/final-transcript.ts), so reads of finished calls need not fetch their lines
 * one document each. Absent while the call is live, and for calls that ended before it was kept:
 * their lines are in `transcripts` only (where every call's lines also are).
 */
export interface FinalTranscriptDoc {
  _id: string;
  org_id: string;
  lines: FinalTranscriptLine[];
}

export interface TranscriptDoc {
  /** `<call_id>:<seq>` so that a retried write never doubles a line. */
  _id: string;
  org_id: string;
  call_id: string;
  seq: number;
  text: string;
  user: Speaker;
  created_at: Date;
}

export type EventLevel = 'queue' | 'call' | 'tool' | 'dynamic_data' | 'webhook';
export type EventCategory = 'info' | 'performance' | 'error';

export interface CallEventDoc {
  _id: string;
  org_id: string;
  call_id: string;
  level: EventLevel;
  category: EventCategory;
  message: string;
  timestamp: Date;
}

export interface IdempotencyDoc {
  /** `<org_id>:<key>` */
  _id: string;
  org_id: string;
  resource_id: string;
  created_at: Date;
}

/** One per organisation (`_id` = org_id): the webhook signing secret, sealed with ENCRYPTION_KEY. */
export interface WebhookSecretDoc {
  _id: string;
  org_id: string;
  /** src/crypto/secret-box.ts form; never the plaintext. */
  secret: string;
  created_at: Date;
  rotated_at: Date | null;
}
