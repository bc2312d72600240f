import type { AnsweredBy, CallEndedBy, QueueStatus } from '../src/db/types';
import type { TelephonyStatus } from '../src/workflow-api/call';

export interface CallOutcomeInput {
  answered: boolean;
  terminal: TelephonyStatus | null;
  stopReason: string | null;
  endedByAgent: boolean;
  answeredBy: AnsweredBy;
  /** Why the carrier refused the dial, when it did. */
  dialError: string | null;
}

export interface CallOutcome {
  queueStatus: QueueStatus;
  status: string;
  answeredBy: AnsweredBy;
  callEndedBy: CallEndedBy;
  errorMessage: string | null;
}

/** Maps how a call ended to Bland's read-model words (docs/api.md, "Call outcomes"). */
export function callOutcome(o: CallOutcomeInput): CallOutcome {
  if (o.dialError !== null) {
    return { queueStatus: 'queue_error', status: 'failed', answeredBy: null, callEndedBy: null, errorMessage: o.dialError };
  }
  if (o.answered) {
    const byAssistant = o.endedByAgent || o.stopReason !== null;
    return {
      queueStatus: 'complete',
      status: 'completed',
      answeredBy: o.answeredBy,
      callEndedBy: byAssistant ? 'ASSISTANT' : 'USER',
      errorMessage: null,
    };
  }
  switch (o.terminal) {
    case 'busy':
      return { queueStatus: 'complete', status: 'busy', answeredBy: o.answeredBy, callEndedBy: null, errorMessage: null };
    case 'no-answer':
      return { queueStatus: 'complete', status: 'no-answer', answeredBy: 'no-answer', callEndedBy: null, errorMessage: null };
    case 'canceled':
    case null:
      return {
        queueStatus: 'complete',
        status: 'canceled',
        answeredBy: o.answeredBy,
        callEndedBy: o.stopReason ? 'ASSISTANT' : null,
        errorMessage: o.stopReason ? `Call stopped before it connected: ${o.stopReason}` : null,
      };
    default:
      return {
        queueStatus: 'call_error',
        status: 'failed',
        answeredBy: o.answeredBy,
        callEndedBy: null,
        errorMessage: 'The carrier could not connect the call.',
      };
  }
}
