import type { AnsweredBy, CallEndedBy, QueueStatus } from '../src/db/types';
import type { AttemptState } from './call-attempt-state';

export interface CallOutcome {
  queueStatus: QueueStatus;
  status: string;
  answeredBy: AnsweredBy;
  callEndedBy: CallEndedBy;
  errorMessage: string | null;
}

/** Maps how an attempt ended to Bland's read-model words (docs/api.md, "Call outcomes"). */
export function callOutcome(a: AttemptState, stopReason: string | null): CallOutcome {
  if (a.dialError !== null) {
    return { queueStatus: 'queue_error', status: 'failed', answeredBy: null, callEndedBy: null, errorMessage: a.dialError };
  }
  if (a.answered) {
    const byAssistant = a.endedByAgent || stopReason !== null || a.voicemailLeft;
    return {
      queueStatus: a.callError ? 'call_error' : 'complete',
      status: 'completed',
      answeredBy: a.answeredBy,
      callEndedBy: byAssistant ? 'ASSISTANT' : 'USER',
      errorMessage: a.callError,
    };
  }
  switch (a.terminal) {
    case 'busy':
      return { queueStatus: 'complete', status: 'busy', answeredBy: a.answeredBy, callEndedBy: null, errorMessage: null };
    case 'no-answer':
      return { queueStatus: 'complete', status: 'no-answer', answeredBy: 'no-answer', callEndedBy: null, errorMessage: null };
    case 'failed':
      return {
        queueStatus: 'call_error',
        status: 'failed',
        answeredBy: a.answeredBy,
        callEndedBy: null,
        errorMessage: 'The carrier could not connect the call.',
      };
    default:
      return {
        queueStatus: 'complete',
        status: 'canceled',
        answeredBy: a.answeredBy,
        callEndedBy: stopReason ? 'ASSISTANT' : null,
        errorMessage: stopReason ? `Call stopped before it connected (${stopReason}).` : null,
      };
  }
}
