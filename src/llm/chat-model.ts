/** The model vendor seam. The implementation is the official `openai` SDK; the offline model is reached through it. */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
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
  name: string;
  arguments: Record<string, unknown>;
}

export interface ChatResult {
  content: string | null;
  toolCalls: ToolCall[];
  model: string;
  elapsedMs: number;
}

export interface ChatModel {
  readonly offline: boolean;
  complete(req: ChatRequest): Promise<ChatResult>;
}
