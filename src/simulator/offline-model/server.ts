import type { AddressInfo } from 'node:net';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { contentText, planReply, type ChatRequest, type PlannedReply } from './heuristics';
import { ScriptBook, scriptSchema } from './scripts';
import { EMBEDDING_DIMS, embeddingSchema, embeddingTexts, embedText } from './embeddings';
import { speak, speechSchema } from './speech';
import { MAX_AUDIO_BYTES, transcribe, TranscriptionRequestError } from './transcription';

/**
 * A local, OpenAI-compatible server that stands in for the model when no OPENAI_API_KEY is
 * configured, and in tests. The product reaches it only through the official `openai` SDK, so
 * the wire format (JSON shapes, SSE framing, error envelope) is what matters here; the replies
 * themselves come from the deterministic heuristics and are labelled as offline on every response.
 */

export const OFFLINE_FINGERPRINT = 'switchboard-offline';

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly param: string | null = null, readonly code: string | null = null) {
    super(message);
  }
}

const messageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() })), z.null()]).optional(),
});
const chatSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  n: z.number().int().min(1).max(1, 'The offline model only produces one choice; n must be 1').nullish(),
  tools: z.array(z.looseObject({
    type: z.string(),
    function: z.looseObject({ name: z.string().min(1), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional() }).optional(),
  })).nullish(),
  tool_choice: z.union([
    z.enum(['none', 'auto', 'required']),
    z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
  ]).nullish(),
  response_format: z.looseObject({
    type: z.enum(['text', 'json_object', 'json_schema']),
    json_schema: z.looseObject({ name: z.string().optional(), schema: z.record(z.string(), z.unknown()).optional() }).optional(),
  }).nullish(),
});
function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const param = issue?.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') || null;
  throw new HttpError(400, param ? `Invalid value for '${param}': ${issue?.message}` : `Invalid request body: ${issue?.message}`, param, 'invalid_value');
}

const countWords = (s: string | null | undefined) => (s ? (s.match(/\S+/g)?.length ?? 0) : 0);

/**
 * Faults a test asks for: the next N requests to /v1/embeddings (`embeddings`), /v1/chat/completions
 * (`completions`) or /v1/audio/speech (`speech`) answer 500. Each count is left as it was when not given.
 */
export interface OfflineFaults {
  embeddings: number;
  completions: number;
  speech: number;
}
const faultCount = z.number().int().min(0).max(100);
const faultsSchema = z.strictObject({ embeddings: faultCount, completions: faultCount, speech: faultCount }).partial();

/** Spends one of the faults asked for on `kind`: a 500 the SDK sees as the server's own error. */
function injectFault(faults: OfflineFaults, kind: keyof OfflineFaults, request: string): void {
  if (faults[kind] <= 0) return;
  faults[kind] -= 1;
  throw new HttpError(500, `The offline model was asked to fail this ${request} request (POST /_offline/faults).`, null, 'offline_fault');
}

export function createOfflineModelApp(): { app: express.Express; scripts: ScriptBook; faults: OfflineFaults } {
  const scripts = new ScriptBook();
  const faults: OfflineFaults = { embeddings: 0, completions: 0, speech: 0 };
  const app = express();
  let completions = 0;
  let toolCalls = 0;

  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.setHeader('x-switchboard-offline', '1');
    next();
  });
  app.use(express.json({ limit: '10mb' }));

  const scriptRouter = express.Router();
  scriptRouter.get('/scripts', (_req, res) => {
    res.json({ object: 'list', data: scripts.list(), pending: scripts.pending() });
  });
  scriptRouter.post('/scripts', (req, res) => {
    scripts.add(parse(scriptSchema, req.body));
    res.status(201).json({ object: 'offline.script', pending: scripts.pending() });
  });
  scriptRouter.delete('/scripts', (_req, res) => {
    res.status(200).json({ object: 'offline.script.deleted', cleared: scripts.clear() });
  });
  scriptRouter.post('/faults', (req, res) => {
    Object.assign(faults, parse(faultsSchema, req.body));
    res.status(200).json({ object: 'offline.faults', ...faults });
  });
  // Also under /v1 so a client holding only the SDK base URL can reach it.
  app.use(['/_offline', '/v1/_offline'], scriptRouter);

  const model = (id: string) => ({ id, object: 'model', created: 0, owned_by: 'switchboard-offline' });
  app.get('/v1/models', (_req, res) => {
    res.json({ object: 'list', data: ['switchboard-offline', 'gpt-4o-mini', 'text-embedding-3-small'].map(model) });
  });
  app.get('/v1/models/:id', (req, res) => {
    res.json(model(String(req.params.id)));
  });

  app.post('/v1/embeddings', (req, res) => {
    const body = parse(embeddingSchema, req.body);
    injectFault(faults, 'embeddings', 'embeddings');
    const texts = embeddingTexts(body.input);
    const data = texts.map((t, index) => {
      const vector = embedText(t, body.dimensions ?? EMBEDDING_DIMS);
      const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
      return { object: 'embedding', index, embedding };
    });
    const tokens = texts.reduce((n, t) => n + countWords(t), 0);
    res.json({ object: 'list', data, model: body.model, system_fingerprint: OFFLINE_FINGERPRINT, usage: { prompt_tokens: tokens, total_tokens: tokens } });
  });

  app.post('/v1/audio/transcriptions', express.raw({ type: 'multipart/form-data', limit: MAX_AUDIO_BYTES + 64 * 1024 }), async (req, res) => {
    try {
      await transcribe(req, res);
    } catch (err) {
      if (err instanceof TranscriptionRequestError) throw new HttpError(err.status, err.message, err.param, 'invalid_value');
      throw err;
    }
  });

  // A labelled stand-in for speech: a tone code of the text, not a voice (speech.ts).
  app.post('/v1/audio/speech', (req, res) => {
    const body = parse(speechSchema, req.body);
    injectFault(faults, 'speech', 'speech');
    speak(body, res);
  });

  app.post('/v1/chat/completions', async (req, res) => {
    const body = parse(chatSchema, req.body);
    injectFault(faults, 'completions', 'chat completion');
    const choice = body.tool_choice;
    if (choice && typeof choice === 'object' && !body.tools?.some((t) => t.function?.name === choice.function.name)) {
      throw new HttpError(400, `Invalid value for 'tool_choice': no tool named '${choice.function.name}' in 'tools'.`, 'tool_choice', 'invalid_value');
    }
    const request = body as ChatRequest;
    const scripted = scripts.take(request.messages.map((m) => contentText(m.content)));
    if (scripted?.delay_ms) await new Promise((resolve) => setTimeout(resolve, scripted.delay_ms));
    const plan = planReply(request, { scripted, nextCallId: () => `call_${++toolCalls}` });
    const promptTokens = request.messages.reduce((n, m) => n + countWords(contentText(m.content)), 0);
    const completionTokens = countWords(plan.content) + plan.toolCalls.reduce((n, c) => n + countWords(c.arguments), 0);
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    const head = { id: `chatcmpl-offline-${++completions}`, created: Math.floor(Date.now() / 1000), model: body.model, system_fingerprint: OFFLINE_FINGERPRINT };
    res.setHeader('x-switchboard-offline-rule', plan.rule);
    if (body.stream) return streamReply(res, head, plan, body.stream_options?.include_usage ? usage : undefined);
    res.json({
      ...head,
      object: 'chat.completion',
      choices: [{ index: 0, message: assistantMessage(plan), logprobs: null, finish_reason: plan.finishReason }],
      usage,
      service_tier: 'default',
    });
  });

  app.use((req, _res, next) => next(new HttpError(404, `Unknown request URL: ${req.method} ${req.path}.`, null, 'unknown_url')));
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    // Never leak stacks: the SDK surfaces `message` to the developer, which is all they need.
    const e = err as { status?: number; type?: string; message?: string };
    const status = err instanceof HttpError ? err.status : typeof e.status === 'number' && e.status >= 400 && e.status < 500 ? e.status : 500;
    const message = e.type === 'entity.parse.failed'
      ? 'We could not parse the JSON body of your request. The offline model expects a JSON body.'
      : status === 500 ? `The offline model failed: ${e.message ?? 'unknown error'}` : (e.message ?? 'Bad request');
    // Mid-stream failures cannot change the status; Express's default handler drops the socket.
    if (res.headersSent) return next(err);
    res.status(status).json({
      error: {
        message,
        type: status >= 500 ? 'server_error' : 'invalid_request_error',
        param: err instanceof HttpError ? err.param : null,
        code: err instanceof HttpError ? err.code : null,
      },
    });
  });
  return { app, scripts, faults };
}

function assistantMessage(plan: PlannedReply) {
  return {
    role: 'assistant' as const,
    content: plan.content,
    refusal: null,
    annotations: [],
    ...(plan.toolCalls.length > 0 && {
      tool_calls: plan.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })),
    }),
  };
}

/** SSE as OpenAI frames it: role first, content in word-sized deltas, tool calls, finish, [DONE]. */
function streamReply(res: Response, head: Record<string, unknown>, plan: PlannedReply, usage?: Record<string, number>): void {
  res.status(200).setHeader('content-type', 'text/event-stream; charset=utf-8');
  res.setHeader('cache-control', 'no-cache');
  res.setHeader('connection', 'keep-alive');
  const send = (delta: Record<string, unknown>, finish: string | null = null) => {
    const chunk = { ...head, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(usage && { usage: null }) };
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  };
  send({ role: 'assistant', content: plan.toolCalls.length && plan.content === null ? null : '', refusal: null });
  for (const piece of plan.content?.match(/\S+\s*|\s+/g) ?? []) send({ content: piece });
  plan.toolCalls.forEach((c, index) => {
    send({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] });
    send({ tool_calls: [{ index, function: { arguments: c.arguments } }] });
  });
  send({}, plan.finishReason);
  if (usage) res.write(`data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk', choices: [], usage })}\n\n`);
  res.end('data: [DONE]\n\n');
}

export interface OfflineModelHandle {
  /** Base URL for the SDK, ending in /v1. */
  url: string;
  port: number;
  scripts: ScriptBook;
  /** Set to make the next requests fail (see OfflineFaults). */
  faults: OfflineFaults;
  close(): Promise<void>;
}

export function startOfflineModel({ port, host = '127.0.0.1' }: { port: number; host?: string }): Promise<OfflineModelHandle> {
  const { app, scripts, faults } = createOfflineModelApp();
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('error', reject);
    server.once('listening', () => {
      const actual = (server.address() as AddressInfo).port;
      // A wildcard bind is reachable on loopback; that is the address a client can dial.
      const dial = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${dial}:${actual}/v1`,
        port: actual,
        scripts,
        faults,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            // The SDK keeps sockets alive; without this close() would wait for them to idle out.
            server.closeAllConnections();
          }),
      });
    });
  });
}
