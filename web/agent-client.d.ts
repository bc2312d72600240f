// Types of web/agent-client.js (the browser channel's client; docs/web-agents.md).

export interface SessionFrame { type: 'session'; call_id: string; agent_id: string; resume_token: string; voice: boolean }
export interface TranscriptFrame { type: 'transcript'; role: 'user' | 'assistant'; text: string; seq: number }
export interface ReplyFrame { type: 'reply'; text: string; action: 'continue' | 'end' | 'transfer'; node: { id: string; name: string } | null }
export interface AudioFrame { type: 'audio'; format: 'mp3' | 'wav'; data: string; seq: number }
export interface ErrorFrame { type: 'error'; code: string; message: string }
export interface EndedFrame { type: 'ended'; call_ended_by: 'USER' | 'ASSISTANT' | null; reason: string; code?: number }

export declare class AgentSessionError extends Error {
  readonly code: string;
  constructor(code: string, message: string);
}

export interface AgentClientEvents {
  session: SessionFrame;
  transcript: TranscriptFrame;
  reply: ReplyFrame;
  audio: AudioFrame;
  error: ErrorFrame;
  ended: EndedFrame;
  pong: { type: 'pong' };
  close: { code: number; reason: string };
  reconnecting: { callId: string | null };
  resumed: { callId: string | null };
}

export interface AgentClient {
  readonly callId: string | null;
  readonly resumeToken: string | null;
  readonly lastSeq: number;
  readonly voice: boolean;
  readonly transcript: Array<{ seq: number; role: 'user' | 'assistant'; text: string }>;
  readonly ended: EndedFrame | null;
  readonly socket: { close(code?: number, reason?: string): void; readyState: number; send(data: unknown): void } | null;
  on<E extends keyof AgentClientEvents>(event: E, fn: (value: AgentClientEvents[E]) => void): () => void;
  connect(agentId: string, token: string): Promise<SessionFrame>;
  resume(agentId: string, resumeToken: string, lastSeq?: number): Promise<SessionFrame>;
  send(text: string, options?: { speak?: boolean }): Promise<ReplyFrame>;
  sendAudio(pcm: ArrayBuffer | ArrayBufferView, sampleRate: number): Promise<ReplyFrame>;
  /** A voice turn streamed while the visitor talks (audio_start now, chunks as recorded, audio_end on finish). Throws code `busy` while another turn is awaited. */
  startAudio(sampleRate: number): { push(pcm: ArrayBuffer | ArrayBufferView): void; finish(): Promise<ReplyFrame> };
  ping(): void;
  end(): Promise<EndedFrame>;
  close(): void;
}

export declare function createAgentClient(options?: {
  baseUrl?: string;
  WebSocket?: unknown;
  autoResume?: boolean;
  resumeDelayMs?: number;
  resumeForMs?: number;
}): AgentClient;
