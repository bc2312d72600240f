import { z } from 'zod';
import type { BatchAnalysisDoc } from '../batches/types';

/**
 * What a question analysis (POST /v1/calls/{id}/analyze, POST /v1/batches/{id}/analyze) answers,
 * in the seed's shapes: one flat array of answers for a call, an object of such arrays keyed by
 * call_id for a batch. `credits_used` is the seed's "token-based price": a self-hosted deployment
 * bills nothing, so it is always 0 (Bland's clients read it as a number).
 */
const answer = z.unknown().describe("One answer per question, in the question's type; null when the call does not say");
const creditsUsed = z.number().describe('Always 0: a self-hosted deployment bills no credits');

export const CallAnalysisSchema = z.object({
  status: z.literal('success'),
  message: z.string(),
  answers: z.array(answer).describe('In question order'),
  credits_used: creditsUsed,
});

export const BatchAnalysisSchema = z.object({
  status: z.literal('success'),
  message: z.string(),
  answers: z.record(z.string(), z.array(answer)).describe("call_id → that call's answers, in question order"),
  credits_used: creditsUsed,
});

/** One call's stored analysis, as GET /v1/batches/{id}/analysis lists it. */
export const StoredAnalysisSchema = z.object({
  call_id: z.string(),
  batch_id: z.string(),
  goal: z.string(),
  answers: z.array(answer),
  questions: z.array(z.array(z.string())).describe('The [question, type] pairs asked'),
});

export const callAnalysis = (answers: unknown[]): z.infer<typeof CallAnalysisSchema> => ({
  status: 'success',
  message: 'Successfully analyzed call',
  answers,
  credits_used: 0,
});

export const batchAnalysis = (answers: Record<string, unknown[]>): z.infer<typeof BatchAnalysisSchema> => ({
  status: 'success',
  message: 'Successfully analyzed batch',
  answers,
  credits_used: 0,
});

export const storedAnalysis = (d: BatchAnalysisDoc): z.infer<typeof StoredAnalysisSchema> => ({
  call_id: d.call_id,
  batch_id: d.batch_id,
  goal: d.goal,
  answers: JSON.parse(d.answers_json) as unknown[],
  questions: JSON.parse(d.questions_json) as string[][],
});
