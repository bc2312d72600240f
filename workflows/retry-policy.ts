import type { RetrySettings, RetryableOutcome } from '../src/workflow-api/call';
import type { CallOutcome } from './call-outcome';

/** The outcome of an attempt in `retry.on`'s words, or null when it is not retryable (a conversation happened). */
export function retryableOutcome(outcome: CallOutcome): RetryableOutcome | null {
  if (outcome.answeredBy === 'voicemail') return 'voicemail';
  if (outcome.status === 'no-answer' || outcome.status === 'busy' || outcome.status === 'failed') return outcome.status;
  return null;
}

export function shouldRetry(retry: RetrySettings, outcome: CallOutcome, attempt: number): boolean {
  const kind = retryableOutcome(outcome);
  return kind !== null && retry.on.includes(kind) && attempt < retry.maxAttempts;
}
