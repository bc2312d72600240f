import { z } from 'zod';
import { isValidTimeZone } from '../../src/calls/system-variables';
import { parsePhoneNumber } from '../../src/phone';
import { arr, bool, enumOf, int, LABEL, num, obj, oneOf, optional, phone, shape, str, url } from '../../src/validation/fields';
import { isPlainObject, unsafeKey } from '../../src/validation/json-values';
import { issueMessages } from '../../src/validation/issue-messages';

const timezone = str(64).refine(isValidTimeZone, { error: `${LABEL} is not a known IANA time zone.` });
/** ISO 8601, and the `YYYY-MM-DD HH:MM:SS -05:00` form Bland's client libraries document (a space before the offset). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?( ?(Z|[+-]\d{2}:?\d{2}))?$/;
const dateTime = str(64)
  .refine((v) => ISO_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)), { error: `${LABEL} must be an ISO 8601 date-time, e.g. 2024-05-01T15:00:00Z.` })
  .meta({ format: 'date-time' });
const VOICEMAIL_ACTIONS = ['hangup', 'leave_message', 'ignore'] as const;
const RETRY_OUTCOMES = ['no-answer', 'busy', 'failed', 'voicemail'] as const;
const stringMap = z.record(z.string(), z.string({ error: `${LABEL} must be a phone number string.` }), { error: `${LABEL} must be an object.` });
const MAX_DURATION = `${LABEL} must be a number of minutes between 0.1 and 1440.`;
/** Minutes, as a number or a numeric string (Bland's examples send both). */
const maxDuration = z
  .union([z.number(), z.string()], { error: MAX_DURATION })
  .refine((v) => {
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    return typeof n === 'number' && Number.isFinite(n) && n >= 0.1 && n <= 24 * 60;
  }, { error: MAX_DURATION });

/** Every Send Call parameter (seed 003 from line 1642), with its type. Behaviour is documented in docs/api.md. */
export const SEND_CALL_FIELDS = {
  task: optional(str(60_000, 'Task')).describe('What the agent should do; required unless pathway_id is given.'),
  pathway_id: optional(str(200)),
  start_node_id: optional(str(200)),
  pathway_version: optional(oneOf('must be a string.', [str(200), int(0, 1_000_000)])),
  first_sentence: optional(str(2000)),
  wait_for_greeting: optional(bool()),
  model: optional(str(100)),
  temperature: optional(num(0, 2)),
  language: optional(str(20)).meta({ default: 'en-US' }),
  timezone: optional(timezone).meta({ default: 'America/Los_Angeles' }),
  voice: optional(str(200)).describe('A voice of GET /v1/voices by name (case-insensitive) or id, or a carrier voice name such as Polly.Joanna; an unknown voice is a 400'),
  keywords: optional(arr(500, str(200))),
  pronunciation_guide: optional(arr(500, obj(2048))),
  interruption_threshold: optional(num(0, 5000)),
  block_interruptions: optional(bool()),
  background_track: optional(str(200)),
  request_data: optional(obj()),
  metadata: optional(obj()),
  start_time: optional(dateTime),
  max_duration: optional(maxDuration).meta({ default: 30 }),
  record: optional(bool()),
  transfer_phone_number: optional(str(32)),
  transfer_list: optional(stringMap),
  tools: optional(arr(50, oneOf('must be a string.', [str(200), obj()]))),
  dynamic_data: optional(arr(20, obj())),
  answered_by_enabled: optional(bool()),
  voicemail_message: optional(str(2000)),
  voicemail_action: optional(
    oneOf(`must be one of: ${VOICEMAIL_ACTIONS.join(', ')}.`, [enumOf(VOICEMAIL_ACTIONS), shape({ action: optional(enumOf(VOICEMAIL_ACTIONS)) })]),
  ),
  retry: optional(
    shape({
      max_attempts: optional(int(1, 10)),
      wait_seconds: optional(num(0, 86_400)),
      on: optional(arr(4, enumOf(RETRY_OUTCOMES))),
    }),
  ),
  webhook: optional(url()),
  webhook_events: optional(arr(20, str(50))),
  summary_prompt: optional(str(10_000)),
  analysis_prompt: optional(str(10_000)),
  analysis_schema: optional(obj(16_384)),
  campaign_id: optional(str(200)),
};

const isObjectPayload = (payload: { value: unknown }): boolean => isPlainObject(payload.value);
const KNOWN_FIELDS = new Set(['phone_number', 'from', ...Object.keys(SEND_CALL_FIELDS)]);
const otherFields = (v: unknown): Record<string, unknown> =>
  Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([k]) => !KNOWN_FIELDS.has(k)));

/**
 * POST /v1/calls: the Send Call parameters. Other fields are kept (in the call's request_data), so
 * their keys too must be storable.
 */
export const SendCallBody = z
  .looseObject(
    {
      phone_number: phone().describe('The number to call; E.164 recommended (`+14155550123`).').meta({ examples: ['+12223334444'] }),
      from: optional(phone('from: ')).describe('A number of the organisation to call from.'),
      ...SEND_CALL_FIELDS,
    },
    { error: 'Request body must be a JSON object.' },
  )
  // Checked even when a field is wrong, so every problem is listed at once.
  .refine((v) => Boolean(v.task) || Boolean(v.pathway_id), { error: 'Missing required parameter: task.', path: ['task'], when: isObjectPayload })
  // Known fields check their own keys; the others are kept in request_data, so they are checked here.
  .refine((v) => !unsafeKey(otherFields(v)), {
    error: (iss) => `Request body has a key that is not allowed: ${JSON.stringify(unsafeKey(otherFields(iss.input))?.slice(0, 40))} (no '.', no leading '$').`,
    when: isObjectPayload,
  });

export interface SendCallParams {
  phoneNumber: string;
  from: string | null;
  /** The validated body as sent (phone numbers normalised), kept as the call's `request_data`. */
  body: Record<string, unknown>;
  warnings: string[];
}

export type SendCallValidation = { ok: true; value: SendCallParams } | { ok: false; errors: string[] };

/** The call's parameters from a body that passed SendCallBody: numbers normalised, the body kept as sent. */
export function sendCallParams(raw: Record<string, unknown>, data: z.output<typeof SendCallBody>): SendCallParams {
  const warnings: string[] = [];
  const given = parsePhoneNumber(raw.phone_number);
  if (given.ok && !given.recommended) warnings.push('phone_number is valid but not in the recommended E.164 format.');
  const { phone_number: phoneNumber, from } = data;
  return { phoneNumber, from: from ?? null, body: { ...raw, phone_number: phoneNumber, ...(from ? { from } : {}) }, warnings };
}

export function validateSendCall(raw: unknown): SendCallValidation {
  const parsed = SendCallBody.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: issueMessages(parsed.error) };
  return { ok: true, value: sendCallParams(raw as Record<string, unknown>, parsed.data) };
}
