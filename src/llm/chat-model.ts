import type { TranscriptionRequest, TranscriptionResult } from './transcription';

/** The model vendor seam. The implementation is the official `openai` SDK; the offline model is reached through it. */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** On an assistant message: the function calls it made (custom tools). */
  toolCalls?: Array<{ id: string; name: string; arguments: Record<string, unknown> }>;
  /** On a `tool` message: the call it answers. */
  toolCallId?: string;
}

export interface FunctionTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ChatRequest {
  messages: ChatMessage[];
  model?: string | null;
  temperature?: number | null;
  tools?: FunctionTool[];
}

export interface ToolCall {
  /** The vendor's call id, when it gives one; a tool result must answer it. */
  id?: string;
  name: string;
  arguments: Record<string, unknown>;
}

export interface ChatResult {
  content: string | null;
  toolCalls: ToolCall[];
  model: string;
  elapsedMs: number;
}

export interface StructuredRequest {
  messages: ChatMessage[];
  /** The JSON schema's name, `[a-zA-Z0-9_-]{1,64}`. */
  schemaName: string;
  /** A JSON Schema in OpenAI's strict subset: every object closed, every property required. */
  schema: Record<string, unknown>;
  model?: string | null;
  temperature?: number | null;
}

export interface StructuredResult {
  /** Parsed JSON. Not yet checked against the schema: a server may not enforce it. */
  value: unknown;
  model: string;
  elapsedMs: number;
}

/** The model answered, but not with usable JSON (refusal, truncation, malformed). Another try may do better. */
export class ModelOutputError extends Error {
  override name = 'ModelOutputError';
}

export interface EmbeddingResult {
  /** One vector per input text, in input order. */
  vectors: number[][];
  model: string;
  elapsedMs: number;
}

export interface ChatModel {
  readonly offline: boolean;
  /** Embeddings of `texts` (knowledge bases), through the same client as the chat. */
  embed(texts: string[]): Promise<EmbeddingResult>;
  complete(req: ChatRequest): Promise<ChatResult>;
  /** Structured output: `response_format: {type: 'json_schema', json_schema: {name, schema, strict: true}}`. */
  structured(req: StructuredRequest): Promise<StructuredResult>;
  /** A recording's words with segment timestamps (`audio.transcriptions.create`, `verbose_json`). */
  transcribe(req: TranscriptionRequest): Promise<TranscriptionResult>;
}
