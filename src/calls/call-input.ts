import type {
  CallWorkflowInput,
  RetrySettings,
  RetryableOutcome,
  SpeechSettings,
  TransferSettings,
  VoicemailAction,
  VoicemailSettings,
} from '../workflow-api/call';
import type { ResolvedCallConfig } from './call-config';

/** Turns a validated Send Call body into the call workflow's typed input (docs/api.md says what each field does). */

type Body = Record<string, unknown>;

/** Per-deployment defaults a call takes when its body does not say (from config). */
export interface CallDefaults {
  from: string;
  maxDurationMinutes: number;
  ringTimeoutSeconds: number;
}

/** `max_duration` is minutes as a number or a numeric string (validated at the edge). */
export function maxDurationMinutes(body: Body, fallback: number): number {
  const v = body.max_duration;
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

export const opt = <T>(v: unknown, type: 'string' | 'number' | 'boolean'): T | null => (typeof v === type ? (v as T) : null);
const truthy = (v: unknown) => v === true || v === 'true';
const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export function speechSettings(body: Body): SpeechSettings {
  const guide = Array.isArray(body.pronunciation_guide) ? (body.pronunciation_guide as Body[]) : [];
  return {
    language: opt<string>(body.language, 'string') ?? 'en-US',
    voice: opt<string>(body.voice, 'string'),
    keywords: Array.isArray(body.keywords) ? (body.keywords as string[]) : [],
    pronunciations: guide
      .filter((g) => typeof g.word === 'string' && typeof g.pronunciation === 'string')
      .map((g) => ({ word: g.word as string, pronunciation: g.pronunciation as string, caseSensitive: truthy(g.case_sensitive) })),
    bargeIn: body.block_interruptions !== true,
  };
}

export function voicemailSettings(body: Body): VoicemailSettings {
  const message = opt<string>(body.voicemail_message, 'string');
  const raw = typeof body.voicemail_action === 'string' ? body.voicemail_action : record(body.voicemail_action).action;
  const action: VoicemailAction = typeof raw === 'string' ? (raw as VoicemailAction) : message ? 'leave_message' : 'hangup';
  return { detect: body.answered_by_enabled === true || message !== null, message, action };
}

export const DEFAULT_RETRY_ON: RetryableOutcome[] = ['no-answer', 'busy'];

export function retrySettings(body: Body): RetrySettings {
  const r = record(body.retry);
  if (Object.keys(r).length === 0) return { maxAttempts: 1, waitSeconds: 0, on: [] };
  return {
    maxAttempts: typeof r.max_attempts === 'number' ? r.max_attempts : 2,
    waitSeconds: typeof r.wait_seconds === 'number' ? r.wait_seconds : 60,
    on: Array.isArray(r.on) ? (r.on as RetryableOutcome[]) : DEFAULT_RETRY_ON,
  };
}

export function transferSettings(body: Body): TransferSettings {
  const list = Object.fromEntries(Object.entries(record(body.transfer_list)).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return { phoneNumber: opt<string>(body.transfer_phone_number, 'string'), list };
}

export function callWorkflowInput(
  ids: { callId: string; orgId: string; batchId: string | null },
  /** The config is resolved by the API beforehand (TL- ids looked up, pathway version fixed); absent = none. */
  call: { to: string; from: string; body: Body; encryptedKey: string | null; webhookBaseUrl: string } & ResolvedCallConfig,
  defaults: CallDefaults,
): CallWorkflowInput {
  const { body } = call;
  return {
    ...ids,
    channel: 'phone',
    to: call.to,
    from: call.from,
    task: opt<string>(body.task, 'string'),
    firstSentence: opt<string>(body.first_sentence, 'string'),
    waitForGreeting: body.wait_for_greeting === true,
    model: opt<string>(body.model, 'string'),
    temperature: opt<number>(body.temperature, 'number'),
    // The resolved carrier voice when the API resolved one; the body's own otherwise (inputs built before voices resolved).
    speech: call.voice ? { ...speechSettings(body), voice: call.voice } : speechSettings(body),
    timezone: opt<string>(body.timezone, 'string') ?? 'America/Los_Angeles',
    requestData: record(body.request_data),
    startTime: opt<string>(body.start_time, 'string'),
    maxDurationMinutes: maxDurationMinutes(body, defaults.maxDurationMinutes),
    ringTimeoutSeconds: defaults.ringTimeoutSeconds,
    record: body.record === true,
    voicemail: voicemailSettings(body),
    retry: retrySettings(body),
    transfer: transferSettings(body),
    postCall: {
      summaryPrompt: opt<string>(body.summary_prompt, 'string'),
      analysisPrompt: opt<string>(body.analysis_prompt, 'string'),
      analysisSchema: body.analysis_schema ? record(body.analysis_schema) : null,
      webhookUrl: opt<string>(body.webhook, 'string'),
      webhookEvents: Array.isArray(body.webhook_events) ? (body.webhook_events as string[]) : [],
    },
    webhookBaseUrl: call.webhookBaseUrl,
    encryptedKey: call.encryptedKey,
    followUpUntimed: true,
    localFinalRecord: true,
    pathwayLogsWithRecords: true,
    localDial: true,
    localPostCallModel: true,
    localAnswerRecord: true,
    // Only when present: inputs of calls without them stay exactly as before.
    ...(call.tools?.length ? { tools: call.tools } : {}),
    ...(call.dynamicData?.length ? { dynamicData: call.dynamicData } : { variablesInDial: true as const }),
    // With a pathway, task, tools and transfer settings are unused (the seed's rule); the workflow ignores them.
    ...(call.pathway ? { pathway: call.pathway } : {}),
  };
}
