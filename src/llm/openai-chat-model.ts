import OpenAI, { toFile } from 'openai';
import { performance } from 'node:perf_hooks';
import { withVendorErrors } from '../errors';
import { ModelOutputError, type ChatMessage, type EmbeddingResult, type ChatModel, type ChatRequest, type ChatResult, type StructuredRequest, type StructuredResult, type ToolCall } from './chat-model';
import { DEFAULT_TRANSCRIPTION_MODEL, type TranscriptionRequest, type TranscriptionResult } from './transcription';

export interface OpenAiChatModelOptions {
  apiKey: string;
  baseURL?: string;
  defaultModel: string;
  offline: boolean;
  timeoutMs?: number;
  /** The embeddings model (knowledge bases); text-embedding-3-small when not given. */
  embeddingModel?: string;
}

function parseArguments(raw: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    // A model that emits broken JSON arguments gets its call treated as argument-less, not a crashed turn.
    return {};
  }
}

export const DEFAULT_EMBEDDING_MODEL = 'text-embedding-3-small';

export class OpenAiChatModel implements ChatModel {
  readonly offline: boolean;
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAiChatModelOptions) {
    this.offline = options.offline;
    // Temporal owns retries; the SDK's own would hide them from history.
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      maxRetries: 0,
      timeout: options.timeoutMs ?? 30_000,
    });
  }

  /** Our messages in the SDK's shape: tool calls and tool results included. */
  private static wireMessages(messages: ChatMessage[]): OpenAI.Chat.ChatCompletionMessageParam[] {
    return messages.map((m): OpenAI.Chat.ChatCompletionMessageParam => {
      if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId ?? '', content: m.content };
      if (m.role === 'assistant' && m.toolCalls?.length) {
        return {
          role: 'assistant',
          content: m.content || null,
          tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: JSON.stringify(c.arguments) } })),
        };
      }
      return { role: m.role as 'system' | 'user' | 'assistant', content: m.content };
    });
  }

  /** One non-streaming completion, its errors classified; `extra` adds tools or a response format. */
  private create(
    req: Pick<ChatRequest, 'messages' | 'model' | 'temperature'>,
    extra: Pick<OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, 'tools' | 'tool_choice' | 'response_format'>,
  ) {
    return withVendorErrors('LlmRequest', () =>
      this.client.chat.completions.create({
        model: req.model ?? this.options.defaultModel,
        messages: OpenAiChatModel.wireMessages(req.messages),
        ...(req.temperature != null ? { temperature: req.temperature } : {}),
        ...extra,
      }),
    );
  }

  async complete(req: ChatRequest): Promise<ChatResult> {
    const started = performance.now();
    const completion = await this.create(
      req,
      req.tools?.length ? { tools: req.tools.map((t) => ({ type: 'function' as const, function: t })), tool_choice: 'auto' } : {},
    );
    const message = completion.choices[0]?.message;
    const toolCalls: ToolCall[] = (message?.tool_calls ?? []).flatMap((c) =>
      c.type === 'function' ? [{ id: c.id, name: c.function.name, arguments: parseArguments(c.function.arguments) }] : [],
    );
    return {
      content: message?.content ?? null,
      toolCalls,
      model: completion.model,
      elapsedMs: performance.now() - started,
    };
  }

  async structured(req: StructuredRequest): Promise<StructuredResult> {
    const started = performance.now();
    const completion = await this.create(req, {
      response_format: { type: 'json_schema', json_schema: { name: req.schemaName, schema: req.schema, strict: true } },
    });
    const choice = completion.choices[0];
    const message = choice?.message;
    if (message?.refusal) throw new ModelOutputError(`the model refused: ${message.refusal}`);
    if (choice?.finish_reason === 'length') throw new ModelOutputError('the answer was cut off at the token limit');
    const content = message?.content;
    if (!content) throw new ModelOutputError('the model returned no content');
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch {
      throw new ModelOutputError('the model returned text that is not JSON');
    }
    return { value, model: completion.model, elapsedMs: performance.now() - started };
  }

  async transcribe(req: TranscriptionRequest): Promise<TranscriptionResult> {
    const started = performance.now();
    const file = await toFile(req.audio, req.filename, { type: req.contentType });
    const res = await withVendorErrors('TranscriptionRequest', () =>
      this.client.audio.transcriptions.create(
        { model: DEFAULT_TRANSCRIPTION_MODEL, file, response_format: 'verbose_json', timestamp_granularities: ['segment'] },
        // A long recording takes a while to transcribe; the chat's timeout is for turns.
        { timeout: 10 * 60_000 },
      ),
    );
    const segments = (res.segments ?? []).map((s) => ({ start: s.start, end: s.end, text: s.text }));
    const note = (res as { x_switchboard_offline?: unknown }).x_switchboard_offline;
    return { segments, model: DEFAULT_TRANSCRIPTION_MODEL, note: typeof note === 'string' ? note : null, elapsedMs: performance.now() - started };
  }

  async embed(texts: string[]): Promise<EmbeddingResult> {
    const started = performance.now();
    const res = await withVendorErrors('LlmRequest', () =>
      this.client.embeddings.create({ model: this.options.embeddingModel ?? DEFAULT_EMBEDDING_MODEL, input: texts, encoding_format: 'float' }),
    );
    const vectors = new Array<number[]>(texts.length);
    for (const d of res.data) vectors[d.index] = d.embedding;
    if (vectors.length !== texts.length || Array.from(vectors).some((v) => !Array.isArray(v))) throw new ModelOutputError('the embeddings answer is missing vectors');
    return { vectors, model: res.model, elapsedMs: performance.now() - started };
  }
}
