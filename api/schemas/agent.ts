import { z } from 'zod';
import { AGENT_LANGUAGES, AGENT_MODELS, AGENT_SESSION_LIMITS } from '../../src/agents/types';
import { arr, enumOf, int, LABEL, num, obj, oneOf, optional, shape, str, url } from '../../src/validation/fields';
import { isPlainObject } from '../../src/validation/json-values';
import { SEND_CALL_FIELDS } from './send-call';

/** Seed 003: "Starting phrase for the call (max 200 characters)". */
export const FIRST_SENTENCE_MAX_CHARS = 200;
/** `word` or `word:boost`, the boost a positive number (default 2), e.g. `Reece:3`. */
const KEYWORD = /^[^:]*[^:\s][^:]*(:(\d+(\.\d+)?|\.\d+))?$/;
const keyword = str(200).refine((v) => KEYWORD.test(v) && !/:0*(\.0*)?$/.test(v), {
  error: `${LABEL} must be "word" or "word:boost" with a positive boost, e.g. "Reece:3".`,
});
const DYNAMIC_DATA = 'must be an array of dynamic_data objects (or one object).';

/**
 * Every field of Create / Update Web Agent (seed 003), checked as the seed says. The fields a call
 * also has (tools, analysis_schema, metadata, max_duration) are the Send Call schemas themselves;
 * what the values refer to (voice, TL-/KB- ids, dynamic_data requests, the pathway, the webhook's
 * address) is checked by the same code as a call's, in api/services/agents.ts. `null` (and `""`
 * where the seed says so) resets a field to its default.
 */
export const AGENT_BODY_FIELDS = {
  prompt: optional(str(60_000)).describe('What the agent should do; required unless pathway_id is given.'),
  voice: optional(str(200)).describe('A voice of GET /v1/voices by name or id (an unknown voice is a 400, as on calls). Default: the carrier\'s voice.'),
  analysis_schema: SEND_CALL_FIELDS.analysis_schema.describe('Data to extract from each session, as on a call'),
  metadata: SEND_CALL_FIELDS.metadata,
  pathway_id: optional(str(200)).describe('A pathway of the organisation (unknown: 404). Overrides prompt, first_sentence, model, dynamic_data and tools. null or "" clears it.'),
  language: optional(enumOf(AGENT_LANGUAGES)).meta({ default: 'ENG' }),
  model: optional(enumOf(AGENT_MODELS)).meta({ default: 'enhanced' }),
  first_sentence: optional(str(FIRST_SENTENCE_MAX_CHARS)).describe('The agent\'s first words (at most 200 characters). null or "" clears it.'),
  tools: SEND_CALL_FIELDS.tools.describe('Inline tool objects, TL- tool ids and KB- knowledge base ids of the organisation, as on a call'),
  dynamic_data: optional(oneOf(DYNAMIC_DATA, [arr(20, obj()), obj(), z.literal('')])).describe('As on a call (a list of requests; one object is a list of one). null or "" clears it.'),
  interruption_threshold: optional(num(50, 200)).describe('Patience before answering, 50-200 (default 100)'),
  keywords: optional(arr(500, keyword)).describe('Words to boost in transcription, "word:boost" (default boost 2)').meta({ default: [] }),
  max_duration: SEND_CALL_FIELDS.max_duration.describe('Minutes (0.1-1440) a session may last; null resets to 30'),
  webhook: optional(oneOf(`${LABEL} must be a valid http(s) URL.`, [url(), z.literal('')])).describe(
    'Our addition: where each web session\'s post-call webhook goes; checked when saved exactly like a call\'s webhook. null or "" clears it.',
  ),
  max_concurrent_sessions: optional(int(AGENT_SESSION_LIMITS.min, AGENT_SESSION_LIMITS.max)).describe(
    `Our addition: web sessions of this agent that may run at once, ${AGENT_SESSION_LIMITS.min}-${AGENT_SESSION_LIMITS.max}`,
  ).meta({ default: AGENT_SESSION_LIMITS.default }),
};

const isObjectPayload = (payload: { value: unknown }): boolean => isPlainObject(payload.value);
const given = (v: unknown): boolean => typeof v === 'string' && v.trim() !== '';

/** POST /v1/agents. Unknown fields are refused, so a typo is not silently dropped. */
export const CreateAgentBody = shape(AGENT_BODY_FIELDS)
  // Checked even when a field is wrong, so every problem is listed at once.
  .refine((v) => given(v.prompt) || given(v.pathway_id), { error: 'Missing required parameter: prompt (or give pathway_id).', path: ['prompt'], when: isObjectPayload });

/**
 * POST /v1/agents/{agent_id}: any of the fields; the agent must still have a prompt or a pathway
 * afterwards. As on an inbound number's update, a field this API does not know is not refused: the
 * answer names it in `failed_updates` (what the seed says that object is for), and it is not stored.
 */
export const UpdateAgentBody = z.looseObject(AGENT_BODY_FIELDS, { error: 'Request body must be an object.' });

/** The fields of an update body that are not agent settings, each with why it was not stored. */
export function unknownAgentFields(body: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(body)
      .filter((k) => !(k in AGENT_BODY_FIELDS))
      .map((k) => [k, 'Not a setting of web agents; not stored.']),
  );
}
