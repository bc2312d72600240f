import { defineUpdate } from '@temporalio/workflow';

/** The pathway part of the call workflow's vocabulary: imported by the workflow, the API and the tests. */

/** Which pathway a call or chat runs; fixed when it is created (versions never change). */
export interface PathwayRun {
  pathwayId: string;
  versionId: string;
  versionNumber: number;
  startNodeId: string | null;
  /** Chat only: an abandoned chat ends after this long without a message. */
  chatIdleTimeoutMs?: number;
}

export interface PathwayChatMessage {
  /** May be empty: the seed calls it optional (the agent then speaks without new input). */
  message: string;
}

export interface ChatHistoryEntry {
  role: 'user' | 'assistant';
  content: string;
}

export interface PathwayChatReply {
  assistantResponse: string;
  currentNodeId: string | null;
  currentNodeName: string | null;
  chatHistory: ChatHistoryEntry[];
  /** The pathway reached an End Call or Transfer Call node: the chat takes no more messages. */
  ended: boolean;
}

export const MAX_CHAT_MESSAGE_CHARS = 4000;
export const DEFAULT_CHAT_IDLE_TIMEOUT_MS = 30 * 60_000;

export const pathwayChatUpdate = defineUpdate<PathwayChatReply, [PathwayChatMessage]>('pathwayChat');

/** The ApplicationFailure type of a chat message whose turn failed after its retries (the model, the store): a 502, and the chat goes on. */
export const CHAT_TURN_FAILED = 'ChatTurnFailed';
/** The ApplicationFailure type with which a chat refuses a message once it has ended: a 409. */
export const CHAT_ENDED = 'ChatEnded';
