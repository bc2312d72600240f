import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AnsweredBy, CallEndedBy, QueueStatus, Speaker } from '../db/types';

/** The one vocabulary of the call workflow: imported by the workflow, the API and the tests. */

export type Channel = 'phone' | 'chat';

export interface CallWorkflowInput {
  callId: string;
  orgId: string;
  channel: Channel;
  to: string;
  from: string;
  batchId: string | null;
  task: string | null;
  firstSentence: string | null;
  waitForGreeting: boolean;
  model: string | null;
  temperature: number | null;
  language: string;
  voice: string | null;
  timezone: string;
  requestData: Record<string, unknown>;
  /** ISO-8601; the call stays `queued` until then. */
  startTime: string | null;
  maxDurationMinutes: number;
  ringTimeoutSeconds: number;
  record: boolean;
  /** Base URL the telephony provider calls back (PUBLIC_BASE_URL, or the local API). */
  webhookBaseUrl: string;
  encryptedKey: string | null;
}

export interface CallWorkflowResult {
  callId: string;
  queueStatus: QueueStatus;
  status: string;
  answeredBy: AnsweredBy;
  callEndedBy: CallEndedBy;
  turns: number;
  errorMessage: string | null;
}

export type AgentAction = 'continue' | 'end';

/** What the agent says next and what the transport should do after saying it. */
export interface AgentDecision {
  say: string;
  action: AgentAction;
  /** Time spent inside the model, so the transport overhead can be measured apart from it. */
  modelMs: number;
}

export interface AgentReply extends AgentDecision {
  /** How to speak it, so the transport needs no read of its own. */
  language: string;
  voice: string | null;
}

/** Provider statuses (Twilio's words) delivered by status callbacks. */
export type TelephonyStatus =
  | 'queued'
  | 'initiated'
  | 'ringing'
  | 'in-progress'
  | 'completed'
  | 'busy'
  | 'no-answer'
  | 'failed'
  | 'canceled';

export const TERMINAL_TELEPHONY_STATUSES: readonly TelephonyStatus[] = [
  'completed',
  'busy',
  'no-answer',
  'failed',
  'canceled',
];

export interface TelephonyStatusEvent {
  providerCallSid: string;
  status: TelephonyStatus;
  durationSeconds: number | null;
}

export interface CallAnsweredInput {
  providerCallSid: string;
}

export interface UserTurnInput {
  providerCallSid: string;
  /** Empty when the caller said nothing before the gather timed out. */
  text: string;
}

export interface StopCallInput {
  reason: string;
}

export interface TranscriptLine {
  seq: number;
  user: Speaker;
  text: string;
  at: string;
}

export interface CallLiveState {
  callId: string;
  queueStatus: QueueStatus;
  providerStatus: TelephonyStatus | null;
  providerCallSid: string | null;
  answeredBy: AnsweredBy;
  turn: number;
  variables: Record<string, unknown>;
  transcript: TranscriptLine[];
}

export const telephonyStatusSignal = defineSignal<[TelephonyStatusEvent]>('telephonyStatus');
export const stopCallSignal = defineSignal<[StopCallInput]>('stopCall');
export const callAnsweredUpdate = defineUpdate<AgentReply, [CallAnsweredInput]>('callAnswered');
export const userTurnUpdate = defineUpdate<AgentReply, [UserTurnInput]>('userTurn');
export const callStateQuery = defineQuery<CallLiveState>('callState');
