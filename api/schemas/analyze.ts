import { z } from 'zod';
import { AS_IS, LABEL } from '../../src/validation/fields';

/** The body's limits (characters; `questions` is a count), stated as they are in /openapi.json. */
export const ANALYZE_LIMITS = { goal: 2_000, question: 1_000, type: 200, questions: 50 };

/** A non-blank string of at most `max` characters, trimmed; every failure says `message`. */
const trimmed = (max: number, message: string) =>
  z
    .string({ error: message })
    .max(max, { error: message })
    .refine((v) => v.trim().length > 0, { error: message })
    .transform((v) => v.trim());

const QUESTIONS = `${LABEL} must be an array of 1 to ${ANALYZE_LIMITS.questions} [question, type] pairs.`;

/** `[question]` or `[question, type]`; no type means "string" (the seed's own example omits it). */
const question = z
  .tuple(
    [
      trimmed(ANALYZE_LIMITS.question, `${LABEL} must be a non-empty string of at most ${ANALYZE_LIMITS.question} characters.`),
      trimmed(ANALYZE_LIMITS.type, `${LABEL} must be a non-empty type description of at most ${ANALYZE_LIMITS.type} characters.`).optional(),
    ],
    { error: `${LABEL} must be [question] or [question, type].` },
  )
  .transform(([text, type]): [string, string] => [text, type ?? 'string']);

/**
 * POST /v1/calls/{call_id}/analyze and POST /v1/batches/{batch_id}/analyze: Bland's
 * `{goal, questions: [[question, type]]}`, strictly (an unknown field is a 400).
 */
export const AnalyzeBody = z
  .strictObject(
    {
      goal: trimmed(ANALYZE_LIMITS.goal, `${LABEL} must be a non-empty string of at most ${ANALYZE_LIMITS.goal} characters.`).describe(
        'What the call was for; gives the questions their context.',
      ),
      questions: z
        .array(question, { error: QUESTIONS })
        .min(1, { error: QUESTIONS })
        .max(ANALYZE_LIMITS.questions, { error: QUESTIONS })
        .describe(
          '`[question, type]` pairs. The type describes the answer wanted (`"string"`, `"boolean"`, `"human or voicemail"`, …); `[question]` alone means `"string"`.',
        ),
    },
    {
      error: (iss) =>
        iss.code === 'unrecognized_keys'
          ? `${AS_IS}${iss.keys.map((k) => `Unknown field ${JSON.stringify(k)}.`).join(' ')}`
          : `${AS_IS}Request body must be a JSON object.`,
    },
  )
  .meta({
    examples: [{ goal: 'Remind the customer of their appointment', questions: [['Who answered the call?', 'human or voicemail'], ['Did they confirm the appointment?', 'boolean']] }],
  });

export type AnalyzeRequest = z.output<typeof AnalyzeBody>;
