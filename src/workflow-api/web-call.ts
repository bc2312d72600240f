import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CallEndedBy } from '../db/types';
import type { AgentAction } from './call';

/** The web channel's part of the call workflow's vocabulary (webCallWorkflow): imported by the workflow, the gateway and the tests. */

/** What a web session's workflow input adds to a call's. */
export interface WebCallInfo {
  agentId: string;
  /** How long a dropped visitor may reconnect to the same call (WEB_RESUME_GRACE_SECONDS). */
  resumeGraceMs: number;
  /**
   * The session's variables and its `started` record are local activities in the workflow's first
   * task, beside the opening: no dispatch through the server before the agent's first words.
   * Absent in sessions started before: each is an activity of its own.
   */
  localStart?: true;
}

/** Why a web call ended: the `reason` of the `ended` frame (docs/web-agents.md). */
export type WebEndReason = 'visitor_ended' | 'agent_ended' | 'max_duration' | 'disconnected' | 'stopped';

/** A transcript line as the browser sees it. */
export interface WebLine {
  seq: number;
  role: 'user' | 'assistant';
  text: string;
}

export interface WebNode {
  id: string;
  name: string;
}

/** A socket (or a reconnected one) joins the call: `connection` numbers the sockets, each newer than the last. */
export interface WebConnectInput {
  connection: number;
  /** The last transcript line the browser has seen (-1: none); the answer carries every later one. */
  afterSeq: number;
}

export interface WebConnectReply {
  /** Lines after `afterSeq`: the opening (first_sentence, or the agent's first turn) on a first connect, what was missed on a resume. */
  lines: WebLine[];
  node: WebNode | null;
  /** The call is over (the socket should say so and close). */
  ended: WebEnding | null;
}

export interface WebTurnInput {
  text: string;
}

/** One agent turn: everything the agent said (follow-ups after tools or webhook nodes included), in order. */
export interface WebTurnReply {
  say: string[];
  /** The new transcript lines of this turn (the visitor's, then the agent's). */
  lines: WebLine[];
  action: AgentAction;
  node: WebNode | null;
  /** The turn ended the call (an End Call or Transfer Call node, or the agent's decision). */
  ended: boolean;
}

export interface WebEnding {
  callEndedBy: CallEndedBy;
  reason: WebEndReason;
}

/** Resolves once the call ends, or `superseded` once another socket has taken over the call. */
export interface WebWatchReply {
  ended: WebEnding | null;
  superseded: boolean;
}

export const webConnectUpdate = defineUpdate<WebConnectReply, [WebConnectInput]>('webConnect');
export const webTurnUpdate = defineUpdate<WebTurnReply, [WebTurnInput]>('webTurn');
export const webWatchUpdate = defineUpdate<WebWatchReply, [{ connection: number }]>('webWatch');
/** The socket of `connection` is gone: the grace period starts (unless a newer socket has already joined). */
export const webDisconnectedSignal = defineSignal<[{ connection: number }]>('webDisconnected');
/** The visitor hung up (`{"type":"end"}`). */
export const webEndSignal = defineSignal<[]>('webEnd');

/** The ApplicationFailure type with which a web call refuses a turn or a connect once it has ended. */
export const WEB_CALL_ENDED = 'WebCallEnded';
/** The ApplicationFailure type of a turn that failed after its retries: the visitor may say it again. */
export const WEB_TURN_FAILED = 'WebTurnFailed';
/** A connect from a socket older than the current one. */
export const WEB_STALE_CONNECTION = 'WebStaleConnection';
/** A visitor's message: at most this many characters (the frame's own limit is checked first by the gateway). */
export const MAX_WEB_MESSAGE_CHARS = 2000;
export const DEFAULT_WEB_RESUME_GRACE_MS = 30_000;
