import { ANALYZE_LIMITS } from './routes/call-analysis';

/**
 * The body of POST /v1/calls/{call_id}/analyze and POST /v1/batches/{batch_id}/analyze (one parser,
 * `parseAnalyzeBody`, reads both): Bland's `{goal, questions: [[question, type]]}`.
 */
export const analyzeRequestBody = {
  required: true,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['goal', 'questions'],
        additionalProperties: false,
        properties: {
          goal: { type: 'string', minLength: 1, maxLength: ANALYZE_LIMITS.goal, description: 'What the call was for; gives the questions their context.' },
          questions: {
            type: 'array',
            minItems: 1,
            maxItems: ANALYZE_LIMITS.questions,
            description: '`[question, type]` pairs. The type describes the answer wanted (`"string"`, `"boolean"`, `"human or voicemail"`, …); `[question]` alone means `"string"`.',
            items: {
              type: 'array',
              minItems: 1,
              maxItems: 2,
              prefixItems: [
                { type: 'string', minLength: 1, maxLength: ANALYZE_LIMITS.question },
                { type: 'string', minLength: 1, maxLength: ANALYZE_LIMITS.type },
              ],
            },
          },
        },
        examples: [{ goal: 'Remind the customer of their appointment', questions: [['Who answered the call?', 'human or voicemail'], ['Did they confirm the appointment?', 'boolean']] }],
      },
    },
  },
};
