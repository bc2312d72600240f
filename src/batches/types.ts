/** Batch documents of the read model (collections `batches`, `batch_rows`, `batch_analyses`). */

export type BatchStatus = 'in-progress' | 'completed';

export interface BatchDoc {
  /** The batch ID (`…-gen-batch`). */
  _id: string;
  org_id: string;
  batch_id: string;
  label: string | null;
  campaign_id: string | null;
  base_prompt: string;
  /** Every Send Call parameter of the request, applied to each row. */
  call_params: Record<string, unknown>;
  endpoint_code: string;
  created_at: Date;
  status: BatchStatus;
  /** Rows stored (after skipped ones were dropped). */
  total_rows: number;
  /** Rows the workflow dials: 1 with test_mode. */
  dial_rows: number;
  test_mode: boolean;
  max_concurrency: number;
  batch_webhook: string | null;
  /** Set when the batch webhook failed after its retries. */
  batch_webhook_error?: string | null;
  start_time: string | null;
  /** The batch this one replays, with the outcomes replayed. */
  replay_of: string | null;
  replay_statuses: string[] | null;
  skipped_rows: Array<{ index: number; reason: string }>;
  workflow_id: string;
  stopped: boolean;
  completed_at: Date | null;
  /** What the worker needs to build each call exactly as POST /v1/calls would (never shown by the API). */
  call_defaults: { from: string; maxDurationMinutes: number; ringTimeoutSeconds: number };
  webhook_base_url: string;
  encrypted_key: string | null;
  /** The batch's ResolvedCallConfig (tools, dynamic_data, pathway) as JSON text: FerretDB refuses nested arrays. */
  call_config_json?: string | null;
}

/** Rows are stored in chunks of ROWS_PER_CHUNK; `_id` = `<batch_id>:<chunk number, 6 digits>`. */
export interface BatchRowChunkDoc {
  _id: string;
  org_id: string;
  batch_id: string;
  chunk: number;
  /** Row index of rows[0]. */
  first_index: number;
  rows: Array<Record<string, unknown>>;
}

export interface BatchAnalysisDoc {
  /** `<batch_id>:<call_id>` */
  _id: string;
  org_id: string;
  batch_id: string;
  call_id: string;
  goal: string;
  /** JSON text: FerretDB refuses nested arrays (questions are [question, type] pairs; answers may be anything). */
  questions_json: string;
  answers_json: string;
  created_at: Date;
}

/** A claimed dial slot of an organisation: `_id` = `<org_id>:<slot number>` (see src/batches/dial-rate.ts). */
export interface DialSlotDoc {
  _id: string;
  org_id: string;
  slot: number;
}
