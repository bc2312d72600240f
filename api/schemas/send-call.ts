import { isValidTimeZone } from '../../src/calls/system-variables';
import { parsePhoneNumber } from '../../src/phone';
import { arr, bool, enumOf, int, isPlainObject, num, obj, oneOf, runChecks, shape, str, unsafeKey, url, type Check } from './field-checks';

const timezone: Check = (v, label) => str(64)(v, label) ?? (isValidTimeZone(v as string) ? null : `${label} is not a known IANA time zone.`);
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const dateTime: Check = (v, label) =>
  str(64)(v, label) ??
  (!ISO_DATE_TIME.test(v as string) || Number.isNaN(Date.parse(v as string))
    ? `${label} must be an ISO 8601 date-time, e.g. 2024-05-01T15:00:00Z.`
    : null);
const VOICEMAIL_ACTIONS = ['hangup', 'leave_message', 'ignore'];
const RETRY_OUTCOMES = ['no-answer', 'busy', 'failed', 'voicemail'];
const stringMap: Check = (v, label) => {
  const base = obj(8192)(v, label);
  if (base) return base;
  const bad = Object.entries(v as Record<string, unknown>).find(([, x]) => typeof x !== 'string');
  return bad ? `${label}.${bad[0]} must be a phone number string.` : null;
};
const maxDuration: Check = (v, label) => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return num(0.1, 24 * 60)(n, label) && `${label} must be a number of minutes between 0.1 and 1440.`;
};

/** Every Send Call parameter (seed 003 from line 1642), with its type. Behaviour is documented in docs/api.md. */
const CHECKS: Record<string, [string, Check]> = {
  task: ['Task', str(60_000)],
  pathway_id: ['pathway_id', str(200)],
  start_node_id: ['start_node_id', str(200)],
  pathway_version: ['pathway_version', oneOf(str(200), int(0, 1_000_000))],
  first_sentence: ['first_sentence', str(2000)],
  wait_for_greeting: ['wait_for_greeting', bool],
  model: ['model', str(100)],
  temperature: ['temperature', num(0, 2)],
  language: ['language', str(20)],
  timezone: ['timezone', timezone],
  voice: ['voice', str(200)],
  keywords: ['keywords', arr(500, str(200))],
  pronunciation_guide: ['pronunciation_guide', arr(500, obj(2048))],
  interruption_threshold: ['interruption_threshold', num(0, 5000)],
  block_interruptions: ['block_interruptions', bool],
  background_track: ['background_track', str(200)],
  request_data: ['request_data', obj()],
  metadata: ['metadata', obj()],
  start_time: ['start_time', dateTime],
  max_duration: ['max_duration', maxDuration],
  record: ['record', bool],
  transfer_phone_number: ['transfer_phone_number', str(32)],
  transfer_list: ['transfer_list', stringMap],
  tools: ['tools', arr(50, oneOf(str(200), obj()))],
  dynamic_data: ['dynamic_data', arr(20, obj())],
  answered_by_enabled: ['answered_by_enabled', bool],
  voicemail_message: ['voicemail_message', str(2000)],
  voicemail_action: ['voicemail_action', oneOf(enumOf(...VOICEMAIL_ACTIONS), shape({ action: enumOf(...VOICEMAIL_ACTIONS) }))],
  retry: [
    'retry',
    shape({ max_attempts: int(1, 10), wait_seconds: num(0, 86_400), on: arr(4, enumOf(...RETRY_OUTCOMES)) }),
  ],
  webhook: ['webhook', url],
  webhook_events: ['webhook_events', arr(20, str(50))],
  summary_prompt: ['summary_prompt', str(10_000)],
  analysis_prompt: ['analysis_prompt', str(10_000)],
  analysis_schema: ['analysis_schema', obj(16_384)],
  campaign_id: ['campaign_id', str(200)],
};

export interface SendCallParams {
  phoneNumber: string;
  from: string | null;
  /** The validated body as sent (phone numbers normalised), kept as the call's `request_data`. */
  body: Record<string, unknown>;
  warnings: string[];
}

export type SendCallValidation = { ok: true; value: SendCallParams } | { ok: false; errors: string[] };

export function validateSendCall(raw: unknown): SendCallValidation {
  if (!isPlainObject(raw)) return { ok: false, errors: ['Request body must be a JSON object.'] };
  const errors: string[] = [];
  const warnings: string[] = [];

  if (raw.phone_number === undefined || raw.phone_number === null || raw.phone_number === '') {
    errors.push('Missing required parameter: phone_number.');
  }
  if ((raw.task === undefined || raw.task === null || raw.task === '') && !raw.pathway_id) {
    errors.push('Missing required parameter: task.');
  }
  let phoneNumber = '';
  if (!errors.includes('Missing required parameter: phone_number.')) {
    const parsed = parsePhoneNumber(raw.phone_number);
    if (parsed.ok) {
      phoneNumber = parsed.e164;
      if (!parsed.recommended) warnings.push('phone_number is valid but not in the recommended E.164 format.');
    } else errors.push(parsed.reason);
  }
  let from: string | null = null;
  if (raw.from !== undefined && raw.from !== null) {
    const parsed = parsePhoneNumber(raw.from);
    if (parsed.ok) from = parsed.e164;
    else errors.push(`from: ${parsed.reason}`);
  }
  errors.push(...runChecks(raw, CHECKS));
  // Unknown fields are kept in request_data, so they too must be storable.
  const badKey = unsafeKey(raw);
  if (badKey && !errors.some((e) => e.includes('key that is not allowed'))) {
    errors.push(`Request body has a key that is not allowed: ${JSON.stringify(badKey.slice(0, 40))} (no '.', no leading '$').`);
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { phoneNumber, from, body: { ...raw, phone_number: phoneNumber, ...(from ? { from } : {}) }, warnings } };
}

