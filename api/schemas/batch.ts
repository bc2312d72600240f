import { parsePhoneNumber } from '../../src/phone';
import { bool, int, isPlainObject, runChecks, str, unsafeKey, url, type Check } from './field-checks';
import { validateSendCall } from './send-call';

/** POST /v1/batches (seed 003 line 7247) and the replay body; behaviour is documented in docs/batches.md. */

export const MAX_BATCH_ROWS = 200_000;
export const MAX_ROW_JSON_BYTES = 16_384;
export const MAX_CONCURRENCY = 1000;
/** At most this many bad rows are named one by one; the total is always given. */
export const MAX_LISTED_ROW_ERRORS = 1000;

/** Fields that belong to the batch, not to each call. */
const BATCH_FIELDS = ['base_prompt', 'call_data', 'label', 'campaign_id', 'test_mode', 'batch_webhook', 'max_concurrency', 'skip_invalid_rows'];

const CHECKS: Record<string, [string, Check]> = {
  label: ['label', str(500)],
  campaign_id: ['campaign_id', str(200)],
  test_mode: ['test_mode', bool],
  batch_webhook: ['batch_webhook', url],
  max_concurrency: ['max_concurrency', int(1, MAX_CONCURRENCY)],
  skip_invalid_rows: ['skip_invalid_rows', bool],
};

export interface RowProblem {
  index: number;
  reason: string;
}

export interface BatchParams {
  basePrompt: string;
  /** Send Call parameters applied to every row (validated; `from` normalised). */
  callParams: Record<string, unknown>;
  rows: Array<Record<string, unknown>>;
  /** Rows left out because of skip_invalid_rows (index in the request). */
  skipped: RowProblem[];
  label: string | null;
  campaignId: string | null;
  testMode: boolean;
  batchWebhook: string | null;
  maxConcurrency: number | null;
}

export type BatchValidation = { ok: true; value: BatchParams } | { ok: false; errors: string[] };

/** One row: an object with a valid phone_number and storable keys. Returns the normalised row or a reason. */
export function checkRow(row: unknown): { ok: true; row: Record<string, unknown> } | { ok: false; reason: string } {
  if (!isPlainObject(row)) return { ok: false, reason: 'must be an object.' };
  if (row.phone_number === undefined || row.phone_number === null || row.phone_number === '') {
    return { ok: false, reason: 'phone_number is missing.' };
  }
  const phone = parsePhoneNumber(row.phone_number);
  if (!phone.ok) return { ok: false, reason: `phone_number: ${phone.reason}` };
  const bad = unsafeKey(row);
  if (bad) return { ok: false, reason: `has a key that is not allowed: ${JSON.stringify(bad.slice(0, 40))} (no '.', no leading '$').` };
  if (JSON.stringify(row).length > MAX_ROW_JSON_BYTES) return { ok: false, reason: `must be at most ${MAX_ROW_JSON_BYTES} bytes of JSON.` };
  return { ok: true, row: { ...row, phone_number: phone.e164 } };
}

export function validateBatch(raw: unknown): BatchValidation {
  if (!isPlainObject(raw)) return { ok: false, errors: ['Request body must be a JSON object.'] };
  const errors: string[] = [];
  if (raw.base_prompt === undefined || raw.base_prompt === null || raw.base_prompt === '') {
    if (!raw.pathway_id) errors.push('Missing required parameter: base_prompt.');
  } else {
    const problem = str(60_000)(raw.base_prompt, 'base_prompt');
    if (problem) errors.push(problem);
  }
  errors.push(...runChecks(raw, CHECKS));
  if (raw.phone_number !== undefined) errors.push('phone_number belongs in each row of call_data, not at the top level.');
  if (raw.task !== undefined) errors.push('Use base_prompt, not task, in a batch.');

  // Every Send Call parameter, checked exactly as POST /v1/calls checks it.
  const callParams: Record<string, unknown> = Object.fromEntries(Object.entries(raw).filter(([k]) => !BATCH_FIELDS.includes(k) && k !== 'phone_number' && k !== 'task'));
  const asCall = validateSendCall({ ...callParams, phone_number: '+14155550100', task: typeof raw.base_prompt === 'string' && raw.base_prompt ? raw.base_prompt : 'x' });
  if (!asCall.ok) errors.push(...asCall.errors);

  const rows: Array<Record<string, unknown>> = [];
  const problems: RowProblem[] = [];
  const data = raw.call_data;
  if (data === undefined || data === null) errors.push('Missing required parameter: call_data.');
  else if (!Array.isArray(data)) errors.push('call_data must be an array.');
  else if (data.length === 0) errors.push('call_data must have at least one row.');
  else if (data.length > MAX_BATCH_ROWS) errors.push(`call_data must have at most ${MAX_BATCH_ROWS} rows.`);
  else {
    for (const [index, row] of data.entries()) {
      const checked = checkRow(row);
      if (checked.ok) rows.push(checked.row);
      else problems.push({ index, reason: checked.reason });
    }
  }
  const skip = raw.skip_invalid_rows === true;
  if (problems.length > 0 && !skip) {
    errors.push(...problems.slice(0, MAX_LISTED_ROW_ERRORS).map((p) => `call_data[${p.index}]: ${p.reason}`));
    if (problems.length > MAX_LISTED_ROW_ERRORS) errors.push(`…and ${problems.length - MAX_LISTED_ROW_ERRORS} more bad rows.`);
    errors.push(`${problems.length} of ${(data as unknown[]).length} rows are invalid; fix them, or send skip_invalid_rows: true to dial only the valid ones.`);
  }
  if (skip && problems.length > 0 && rows.length === 0) errors.push('call_data has no valid row.');
  if (errors.length > 0 || !asCall.ok) return { ok: false, errors };

  const params = { ...asCall.value.body };
  delete params.phone_number;
  delete params.task;
  return {
    ok: true,
    value: {
      basePrompt: typeof raw.base_prompt === 'string' ? raw.base_prompt : '',
      callParams: params,
      rows,
      skipped: skip ? problems : [],
      label: typeof raw.label === 'string' ? raw.label : null,
      campaignId: typeof raw.campaign_id === 'string' ? raw.campaign_id : null,
      testMode: raw.test_mode === true,
      batchWebhook: typeof raw.batch_webhook === 'string' ? raw.batch_webhook : null,
      maxConcurrency: typeof raw.max_concurrency === 'number' ? raw.max_concurrency : null,
    },
  };
}

/** Outcomes a replay may select; `error` = every *_error queue status. Default: error, no-answer, busy. */
export const REPLAY_OUTCOMES = ['error', 'no-answer', 'busy', 'failed', 'voicemail', 'canceled'];
export const DEFAULT_REPLAY_OUTCOMES = ['error', 'no-answer', 'busy', 'failed'];

export interface ReplayParams {
  statuses: string[];
  /** Send Call parameters that replace the original ones. */
  overrides: Record<string, unknown>;
  label: string | null;
  maxConcurrency: number | null;
  batchWebhook: string | null;
}

export function validateReplay(raw: unknown): { ok: true; value: ReplayParams } | { ok: false; errors: string[] } {
  const body = raw === undefined || raw === null ? {} : raw;
  if (!isPlainObject(body)) return { ok: false, errors: ['Request body must be a JSON object.'] };
  const errors: string[] = [];
  let statuses = DEFAULT_REPLAY_OUTCOMES;
  if (body.statuses !== undefined) {
    if (!Array.isArray(body.statuses) || body.statuses.length === 0 || body.statuses.some((s) => typeof s !== 'string' || !REPLAY_OUTCOMES.includes(s))) {
      errors.push(`statuses must be a non-empty array of: ${REPLAY_OUTCOMES.join(', ')}.`);
    } else statuses = body.statuses as string[];
  }
  errors.push(...runChecks(body, { label: CHECKS.label!, max_concurrency: CHECKS.max_concurrency!, batch_webhook: CHECKS.batch_webhook! }));
  let overrides: Record<string, unknown> = {};
  if (body.overrides !== undefined) {
    if (!isPlainObject(body.overrides)) errors.push('overrides must be an object of Send Call parameters.');
    else {
      const asCall = validateSendCall({ task: 'x', ...body.overrides, phone_number: '+14155550100' });
      if (!asCall.ok) errors.push(...asCall.errors.map((e) => `overrides: ${e}`));
      else if ('phone_number' in body.overrides || 'call_data' in body.overrides) errors.push('overrides cannot change phone_number or call_data.');
      else overrides = body.overrides;
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      statuses,
      overrides,
      label: typeof body.label === 'string' ? body.label : null,
      maxConcurrency: typeof body.max_concurrency === 'number' ? body.max_concurrency : null,
      batchWebhook: typeof body.batch_webhook === 'string' ? body.batch_webhook : null,
    },
  };
}
