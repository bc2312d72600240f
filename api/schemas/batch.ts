import { z } from 'zod';
import { parsePhoneNumber } from '../../src/phone';
import { AS_IS, bool, int, LABEL, MISSING, optional, phone, str, url } from '../../src/validation/fields';
import { issueMessages } from '../../src/validation/issue-messages';
import { isPlainObject, unsafeKey } from '../../src/validation/json-values';
import { qBool, qInt, qString } from '../contract/query-fields';
import { SEND_CALL_FIELDS, validateSendCall } from './send-call';

/** POST /v1/batches (seed 003 line 7247), the batch reads and the replay body; behaviour is documented in docs/batches.md. */

export const MAX_BATCH_ROWS = 200_000;
export const MAX_ROW_JSON_BYTES = 16_384;
export const MAX_CONCURRENCY = 1000;
/** At most this many bad rows are named one by one; the total is always given. */
export const MAX_LISTED_ROW_ERRORS = 1000;

export interface RowProblem {
  index: number;
  reason: string;
}

/** One row: an object with a valid phone_number and storable keys. Returns the normalised row or a reason. */
export function checkRow(row: unknown): { ok: true; row: Record<string, unknown> } | { ok: false; reason: string } {
  if (!isPlainObject(row)) return { ok: false, reason: 'must be an object.' };
  if (row.phone_number === undefined || row.phone_number === null || row.phone_number === '') {
    return { ok: false, reason: 'phone_number is missing.' };
  }
  const parsed = parsePhoneNumber(row.phone_number);
  if (!parsed.ok) return { ok: false, reason: `phone_number: ${parsed.reason}` };
  const bad = unsafeKey(row);
  if (bad) return { ok: false, reason: `has a key that is not allowed: ${JSON.stringify(bad.slice(0, 40))} (no '.', no leading '$').` };
  if (JSON.stringify(row).length > MAX_ROW_JSON_BYTES) return { ok: false, reason: `must be at most ${MAX_ROW_JSON_BYTES} bytes of JSON.` };
  return { ok: true, row: { ...row, phone_number: parsed.e164 } };
}

/** call_data once each row has been checked: the valid rows (normalised) and the bad ones with their reasons. */
export class CheckedRows {
  constructor(
    readonly rows: Array<Record<string, unknown>>,
    readonly problems: RowProblem[],
    readonly received: number,
  ) {}
}

function checkRows(data: unknown[]): CheckedRows {
  const rows: Array<Record<string, unknown>> = [];
  const problems: RowProblem[] = [];
  for (const [index, row] of data.entries()) {
    const checked = checkRow(row);
    if (checked.ok) rows.push(checked.row);
    else problems.push({ index, reason: checked.reason });
  }
  return new CheckedRows(rows, problems, data.length);
}

/**
 * Rows, checked one by one as the array is parsed; whether a bad row refuses the batch depends on
 * skip_invalid_rows, so the body decides (BatchBody).
 */
const callData = z
  .array(z.unknown(), { error: (iss) => (iss.input === undefined || iss.input === null ? MISSING : `${LABEL} must be an array.`) })
  .min(1, { error: `${LABEL} must have at least one row.` })
  .max(MAX_BATCH_ROWS, { error: `${LABEL} must have at most ${MAX_BATCH_ROWS} rows.` })
  .transform(checkRows)
  .meta({
    description: 'The calls: one object per call, with a `phone_number`; its other properties fill the `{{placeholders}}` and are kept in the call\'s `request_data` (case-sensitive)',
    items: {
      type: 'object',
      required: ['phone_number'],
      properties: { phone_number: { type: ['string', 'number'], description: 'E.164 recommended' } },
      additionalProperties: true,
    },
  });

/** Batch-level fields; every other field is a Send Call parameter applied to each call. */
const BATCH_FIELDS = {
  base_prompt: optional(str(60_000)).describe("Every call's task; `{{placeholders}}` are filled from its row. Required unless pathway_id is given."),
  call_data: callData,
  label: optional(str(500)),
  campaign_id: optional(str(200)).describe('Set on the batch and on each of its calls'),
  test_mode: optional(bool()).describe('Dial only the first row; the answer shows the Send Call body it gets').meta({ default: false }),
  batch_webhook: optional(url()).describe('POSTed once when the batch completes'),
  max_concurrency: optional(int(1, MAX_CONCURRENCY)).describe('Live calls at once; default BATCH_MAX_CONCURRENCY'),
  skip_invalid_rows: optional(bool()).describe('Dial the valid rows and list the skipped ones, instead of refusing the batch').meta({ default: false }),
};

/** Bland's Python client always sends these (required in its signature); a batch takes them from base_prompt and the rows. */
const IGNORED_FIELDS = {
  phone_number: z.unknown().optional().meta({ deprecated: true }).describe('Ignored (named in `warnings`): each row of call_data has its own phone_number'),
  task: z.unknown().optional().meta({ deprecated: true }).describe('Ignored (named in `warnings`): base_prompt is every call\'s task'),
};

const { task: _task, campaign_id: _campaignId, ...CALL_FIELDS } = SEND_CALL_FIELDS;
const KNOWN_FIELDS = new Set([...Object.keys(BATCH_FIELDS), ...Object.keys(IGNORED_FIELDS), 'from', ...Object.keys(CALL_FIELDS)]);
const otherFields = (v: unknown): Record<string, unknown> =>
  Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([k]) => !KNOWN_FIELDS.has(k)));
const isObjectPayload = (payload: { value: unknown }): boolean => isPlainObject(payload.value);

/**
 * POST /v1/batches. The Send Call parameters are POST /v1/calls's own fields (SEND_CALL_FIELDS), so
 * they are checked and worded exactly as there; other fields are kept in the batch's call_params.
 */
export const BatchBody = z
  .looseObject(
    {
      ...BATCH_FIELDS,
      ...IGNORED_FIELDS,
      from: optional(phone('from: ')).describe('Caller ID of every call'),
      ...CALL_FIELDS,
    },
    { error: 'Request body must be a JSON object.' },
  )
  // The refinements run even when a field is wrong, so every problem is listed at once.
  .refine((v) => Boolean(v.base_prompt) || Boolean(v.pathway_id), { error: 'Missing required parameter: base_prompt.', path: ['base_prompt'], when: isObjectPayload })
  .refine((v) => !unsafeKey(otherFields(v)), {
    error: (iss) => `Request body has a key that is not allowed: ${JSON.stringify(unsafeKey(otherFields(iss.input))?.slice(0, 40))} (no '.', no leading '$').`,
    when: isObjectPayload,
  })
  .superRefine(
    (v, ctx) => {
      // call_data is a CheckedRows only when the array itself passed its checks.
      const data: unknown = v.call_data;
      if (!(data instanceof CheckedRows) || data.problems.length === 0) return;
      if (v.skip_invalid_rows === true) {
        if (data.rows.length === 0) ctx.addIssue({ code: 'custom', message: 'call_data has no valid row.', path: ['call_data'] });
        return;
      }
      for (const p of data.problems.slice(0, MAX_LISTED_ROW_ERRORS)) ctx.addIssue({ code: 'custom', message: `${LABEL}: ${p.reason}`, path: ['call_data', p.index] });
      const more = data.problems.length - MAX_LISTED_ROW_ERRORS;
      if (more > 0) ctx.addIssue({ code: 'custom', message: `${AS_IS}…and ${more} more bad rows.` });
      ctx.addIssue({
        code: 'custom',
        message: `${AS_IS}${data.problems.length} of ${data.received} rows are invalid; fix them, or send skip_invalid_rows: true to dial only the valid ones.`,
      });
    },
    { when: isObjectPayload },
  )
  .describe('Also every Send Call parameter (POST /v1/calls), applied to each call. Body limit: BATCH_BODY_LIMIT_BYTES (64 MiB).');

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
  /** Parts of the request accepted but not used. */
  warnings: string[];
}

const BATCH_ONLY = new Set([...Object.keys(BATCH_FIELDS), ...Object.keys(IGNORED_FIELDS)]);

/** The batch from a body that passed BatchBody: batch fields apart, every other field a Send Call parameter. */
export function batchParams(body: z.output<typeof BatchBody>): BatchParams {
  const callParams = Object.fromEntries(Object.entries(body).filter(([k]) => !BATCH_ONLY.has(k)));
  const ignored = Object.keys(IGNORED_FIELDS).filter((k) => body[k as keyof typeof IGNORED_FIELDS] !== undefined && body[k as keyof typeof IGNORED_FIELDS] !== null);
  const warnings =
    ignored.length > 0
      ? [`${ignored.join(' and ')} ${ignored.length > 1 ? 'are' : 'is'} ignored in a batch: each row of call_data has its own phone_number, and base_prompt is every call's task.`]
      : [];
  return {
    basePrompt: body.base_prompt ?? '',
    callParams,
    rows: body.call_data.rows,
    skipped: body.skip_invalid_rows === true ? body.call_data.problems : [],
    label: body.label ?? null,
    campaignId: body.campaign_id ?? null,
    testMode: body.test_mode === true,
    batchWebhook: body.batch_webhook ?? null,
    maxConcurrency: body.max_concurrency ?? null,
    warnings,
  };
}

export type BatchValidation = { ok: true; value: BatchParams } | { ok: false; errors: string[] };

export function validateBatch(raw: unknown): BatchValidation {
  const parsed = BatchBody.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: issueMessages(parsed.error) };
  return { ok: true, value: batchParams(parsed.data) };
}

/** GET /v1/batches: the seed's default `limit`, and its largest; a larger one is a 400. */
export const MAX_BATCH_LIST_LIMIT = 1000;

/** `limit` as a checked string: a transform would drop the documented integer type and default. */
const listLimit = z
  .string({ error: (iss) => `${LABEL} ${Array.isArray(iss.input) ? 'must be given once.' : 'must be an integer >= 0.'}` })
  .regex(/^\d{1,9}$/, { error: `${LABEL} must be an integer >= 0.`, abort: true })
  .refine((v) => Number(v) <= MAX_BATCH_LIST_LIMIT, { error: `${LABEL} must be at most ${MAX_BATCH_LIST_LIMIT}.` })
  .meta({ type: 'integer', minimum: 0, maximum: MAX_BATCH_LIST_LIMIT, default: MAX_BATCH_LIST_LIMIT });

/** GET /v1/batches query parameters (seed 003 line 7445). */
export const ListBatchesQuery = z
  .object({
    campaign_id: qString(200).optional().describe('Only batches of this campaign'),
    from: qInt(0).optional().describe('Index of the first batch to return'),
    to: qInt(0).optional().describe('Index after the last batch to return'),
    limit: listLimit.optional().describe('At most this many batches'),
    ascending: qBool().optional().describe('Oldest first (default false)'),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.to >= q.from, { error: 'to must not be less than from.' });

/** The page a parsed query asks for, always within the organisation. */
export function listBatchesPage(orgId: string, q: z.output<typeof ListBatchesQuery>) {
  const from = q.from ?? 0;
  const limit = q.limit === undefined ? MAX_BATCH_LIST_LIMIT : Number(q.limit);
  return {
    filter: { org_id: orgId, ...(q.campaign_id !== undefined ? { campaign_id: q.campaign_id } : {}) },
    skip: from,
    limit: Math.max(0, Math.min(limit, q.to !== undefined ? q.to - from : limit)),
    ascending: q.ascending ?? false,
  };
}

const included = (what: string) => qBool().optional().meta({ default: 'true' }).describe(`Include ${what} (default true)`);

/** GET /v1/batches/{batch_id} query parameters (seed 003 line 7512). */
export const BatchDetailQuery = z.object({
  include_calls: included('call_data'),
  include_transcripts: included("each call's transcript"),
  include_analysis: included("each call's analysis and summary"),
});

/** Outcomes a replay may select; `error` = every *_error queue status. Default: error, no-answer, busy, failed. */
export const REPLAY_OUTCOMES = ['error', 'no-answer', 'busy', 'failed', 'voicemail', 'canceled'] as const;
export const DEFAULT_REPLAY_OUTCOMES = ['error', 'no-answer', 'busy', 'failed'];

const STATUSES = `must be a non-empty array of: ${REPLAY_OUTCOMES.join(', ')}.`;

/** Send Call parameters that replace the original ones, checked as POST /v1/calls checks them. */
const overrides = z
  .custom<Record<string, unknown>>((v) => isPlainObject(v), { error: 'overrides must be an object of Send Call parameters.' })
  .superRefine((o, ctx) => {
    const asCall = validateSendCall({ task: 'x', ...o, phone_number: '+14155550100' });
    if (!asCall.ok) for (const e of asCall.errors) ctx.addIssue({ code: 'custom', message: `overrides: ${e}` });
    else if ('phone_number' in o || 'call_data' in o) ctx.addIssue({ code: 'custom', message: 'overrides cannot change phone_number or call_data.' });
  })
  .meta({ type: 'object', description: 'Send Call parameters that replace the original ones (not phone_number)' });

/**
 * POST /v1/batches/{batch_id}/replay and POST /v1/calls/{call_id}/replay. The body may be left out
 * (every field has a default); unknown fields are refused, so a misspelt `statuses` is not ignored.
 */
export const ReplayBody = z
  .strictObject(
    {
      statuses: optional(z.array(z.enum(REPLAY_OUTCOMES, { error: `${AS_IS}statuses ${STATUSES}` }), { error: `${LABEL} ${STATUSES}` }).min(1, { error: `${LABEL} ${STATUSES}` }))
        .describe('Outcomes to dial again; `error` is every *_error queue status. Not used by a call replay')
        .meta({ default: DEFAULT_REPLAY_OUTCOMES }),
      overrides: optional(overrides),
      label: optional(str(500)),
      max_concurrency: optional(int(1, MAX_CONCURRENCY)),
      batch_webhook: optional(url()),
    },
    {
      error: (iss) =>
        iss.code === 'unrecognized_keys'
          ? `${iss.keys.join(', ')} ${iss.keys.length > 1 ? 'are not known fields' : 'is not a known field'} (known: statuses, overrides, label, max_concurrency, batch_webhook).`
          : 'Request body must be a JSON object.',
    },
  )
  .nullish();

export interface ReplayParams {
  statuses: string[];
  /** Send Call parameters that replace the original ones. */
  overrides: Record<string, unknown>;
  label: string | null;
  maxConcurrency: number | null;
  batchWebhook: string | null;
}

export function replayParams(body: z.output<typeof ReplayBody>): ReplayParams {
  return {
    statuses: body?.statuses ?? DEFAULT_REPLAY_OUTCOMES,
    overrides: body?.overrides ?? {},
    label: body?.label ?? null,
    maxConcurrency: body?.max_concurrency ?? null,
    batchWebhook: body?.batch_webhook ?? null,
  };
}

export function validateReplay(raw: unknown): { ok: true; value: ReplayParams } | { ok: false; errors: string[] } {
  const parsed = ReplayBody.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: issueMessages(parsed.error) };
  return { ok: true, value: replayParams(parsed.data) };
}
