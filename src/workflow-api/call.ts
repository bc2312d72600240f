import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AnsweredBy, CallEndedBy, QueueStatus, Speaker } from '../db/types';
import type { DynamicDataRequest } from '../dynamic-data/types';
import type { ToolSpec } from '../tools/types';
import type { BatchRowRef } from './batch';
import type { PathwayRun } from './pathway';
import type { AgentReply } from './turn';
import type { WebCallInfo } from './web-call';

/** The one vocabulary of the call workflow: imported by the workflow, the API and the tests. */

/** `web`: a browser session with an agent (api/web-channel, workflows/web-call.ts). */
export type Channel = 'phone' | 'chat' | 'web';

export interface Pronunciation {
  word: string;
  pronunciation: string;
  caseSensitive: boolean;
}

/** How the agent's words are spoken and the caller's heard, as far as the transport allows. */
export interface SpeechSettings {
  language: string;
  /** A carrier voice name (e.g. `Polly.Joanna`), sent as is. */
  voice: string | null;
  /** Speech-recognition hints (`keywords`). */
  keywords: string[];
  pronunciations: Pronunciation[];
  /** False with `block_interruptions`: the caller cannot talk over the agent. */
  bargeIn: boolean;
}

export type VoicemailAction = 'hangup' | 'leave_message' | 'ignore';

export interface VoicemailSettings {
  /** Ask the carrier for answering-machine detection (answered_by_enabled or a voicemail message). */
  detect: boolean;
  message: string | null;
  action: VoicemailAction;
}

/** Outcomes of a dial attempt that `retry.on` may name. */
export type RetryableOutcome = 'no-answer' | 'busy' | 'failed' | 'voicemail';

export interface RetrySettings {
  /** Dial attempts in all, including the first. 1 = no retry. */
  maxAttempts: number;
  waitSeconds: number;
  on: RetryableOutcome[];
}

export interface TransferSettings {
  /** `transfer_phone_number`: where "transfer me" goes when nothing more specific fits. */
  phoneNumber: string | null;
  /** `transfer_list`: label → number; the model chooses the label by context. */
  list: Record<string, string>;
}

/** What happens after the call: Bland's summary_prompt, analysis_* and webhook parameters. */
export interface PostCallSettings {
  summaryPrompt: string | null;
  analysisPrompt: string | null;
  analysisSchema: Record<string, unknown> | null;
  webhookUrl: string | null;
  /** `webhook_events`; empty = Bland's default (the call's final details only). */
  webhookEvents: string[];
}

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
  speech: SpeechSettings;
  timezone: string;
  requestData: Record<string, unknown>;
  /** ISO-8601; the call stays `queued` until then. */
  startTime: string | null;
  maxDurationMinutes: number;
  ringTimeoutSeconds: number;
  record: boolean;
  voicemail: VoicemailSettings;
  retry: RetrySettings;
  transfer: TransferSettings;
  postCall: PostCallSettings;
  /** Base URL the telephony provider calls back (PUBLIC_BASE_URL, or the local API). */
  webhookBaseUrl: string;
  encryptedKey: string | null;
  /** Only on a batch's child: where to signal completion. Absent in every other call (and old histories). */
  batchRow?: BatchRowRef;
  /** A conversational pathway replaces task, tools and transfer settings. Absent = none (old histories). */
  pathway?: PathwayRun;
  /** Custom tools, snapshotted when the call was created (TL- ids resolved). Absent = none (old histories). */
  tools?: ToolSpec[];
  /** `dynamic_data`, run in order before the first word. Absent = none (old histories). */
  dynamicData?: DynamicDataRequest[];
  /**
   * An incoming call: the carrier has already connected the caller, so there is nothing to dial and
   * nothing to retry. `from` is the caller, `to` the organisation's number. Absent = an outbound
   * call (every call before inbound existed).
   */
  inbound?: InboundCallInfo;
  /**
   * The `continue` webhook's update waits for the work and its follow-up with no timer of its own
   * (the API holds the line past its bound, api/routes/turn-hold.ts). Absent in calls started
   * before: their update waits at most 8 s on a timer, then answers "keep waiting". A timer started
   * in that handler could land, on replay, after the commands of the work finishing in the same
   * activation, and fail the replay.
   */
  followUpUntimed?: true;
  /**
   * The final record is a local activity that also writes the turns not yet recorded (one write,
   * no dispatch through the server, at the end of every call). Absent in calls started before:
   * they write the last turns, then the final record, as two activities.
   */
  localFinalRecord?: true;
  /**
   * A pathway's logs go to the read model with the turn records and the final record, at fixed
   * points of the conversation. Absent in calls started before: each pathway turn wrote its logs
   * in an activity chained on the previous one's, whose place among the commands depended on when
   * that one completed (a replay could order them otherwise).
   */
  pathwayLogsWithRecords?: true;
  /**
   * The dial is a local activity, in the workflow task that resolved the call's variables: no
   * dispatch through the server, and one workflow task fewer a dial. Absent in calls started
   * before: they dial in an activity of its own.
   */
  localDial?: true;
  /**
   * The summary and the analysis are local activities, in the workflow task of the call's end. Absent
   * in calls started before: each is an activity of its own.
   */
  localPostCallModel?: true;
  /**
   * The answered call's record is a local activity beside the opening's model turn, in the answer's
   * workflow task: no dispatch through the server and no workflow task for its completion. Absent
   * in calls started before: they write it in an activity of its own.
   */
  localAnswerRecord?: true;
  /**
   * A dialled call's variables are resolved by its dial (one local activity), stored with its
   * `allocated` write, and the answer waits for them. Absent in calls started before, and in calls
   * with dynamic_data (whose requests use the variables before the dial): a local activity of its own.
   */
  variablesInDial?: true;
  /** A web session with an agent (channel `web`): which agent, and how long a dropped visitor may come back. */
  web?: WebCallInfo;
}

/** What the carrier told about an incoming call when it arrived. */
export interface InboundCallInfo {
  /** The carrier's SID of the caller's leg: the call's only attempt. */
  providerCallSid: string;
  /** The INVITE's SIP headers (Twilio's `SipHeader_<name>`), names as sent; untrusted values, bounded in count and size. */
  sipHeaders: Record<string, string>;
  /**
   * With `record`, the API's first answer starts the carrier's recording (`<Start><Recording>`).
   * Absent in calls that arrived before it did: their workflow asks the carrier by an activity.
   */
  answerStartsRecording?: true;
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

export type { AgentAction, AgentDecision, AgentReply, ToolExchange, ToolWork, TurnWork, TurnWorkOutcome, WebhookWork } from './turn';

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

export interface ContinueTurnInput {
  providerCallSid: string;
}

export interface AmdResultEvent {
  providerCallSid: string;
  answeredBy: 'human' | 'voicemail' | 'unknown';
}

export interface TransferStatusEvent {
  providerCallSid: string;
  status: TelephonyStatus;
}

export interface RecordingReadyEvent {
  providerCallSid: string;
  recordingSid: string;
  url: string;
  durationSeconds: number | null;
}

export interface StopCallInput {
  reason: string;
}

/** The API hung up the line because a turn was still not ready after its last hold (api/routes/turn-hold.ts). */
export interface TurnGivenUpInput {
  providerCallSid: string;
  holds: number;
}

export interface TranscriptLine {
  seq: number;
  user: Speaker;
  text: string;
  at: string;
}

export interface CallLiveState {
  callId: string;
  attempt: number;
  queueStatus: QueueStatus;
  providerStatus: TelephonyStatus | null;
  providerCallSid: string | null;
  answeredBy: AnsweredBy;
  turn: number;
  variables: Record<string, unknown>;
  transcript: TranscriptLine[];
  /** With a pathway: the node the agent is at. */
  pathwayNode?: { id: string; name: string } | null;
  /** With a pathway (runs with `pathwayLogsWithRecords`): its logs so far, ahead of the stored ones. */
  pathwayLogs?: unknown[];
  /**
   * Events of turns not yet written to the read model (turn records are written in batches), so a
   * live call's event stream shows them: each with the time it happened.
   */
  pendingEvents?: Array<{ level: string; category: string; message: string; at: string }>;
}

export const telephonyStatusSignal = defineSignal<[TelephonyStatusEvent]>('telephonyStatus');
export const stopCallSignal = defineSignal<[StopCallInput]>('stopCall');
export const amdResultSignal = defineSignal<[AmdResultEvent]>('amdResult');
export const transferStatusSignal = defineSignal<[TransferStatusEvent]>('transferStatus');
export const recordingReadySignal = defineSignal<[RecordingReadyEvent]>('recordingReady');
export const turnGivenUpSignal = defineSignal<[TurnGivenUpInput]>('turnGivenUp');
export const callAnsweredUpdate = defineUpdate<AgentReply, [CallAnsweredInput]>('callAnswered');
export const userTurnUpdate = defineUpdate<AgentReply, [UserTurnInput]>('userTurn');
/** After a reply with `work`: returns the follow-up once the work is done (older calls: after a bound, `work` again: keep waiting). */
export const continueTurnUpdate = defineUpdate<AgentReply, [ContinueTurnInput]>('continueTurn');
export const callStateQuery = defineQuery<CallLiveState>('callState');
