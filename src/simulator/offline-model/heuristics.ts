import type { ScriptedReply } from './scripts';
import { fillSchema, overlap, words, type JsonSchema } from './structured';

/**
 * The offline model's decision logic: pure functions from a Chat Completions request to one
 * assistant turn. Nothing here is random or time-dependent, so the same request always gets the
 * same answer, and `rule` names the heuristic that produced it so a surprising reply can be
 * traced. Precedence, first match wins:
 *   1. script       a scripted reply (taken by the caller from the ScriptBook)
 *   2. tool         a tool call: tool_choice {function}/'required' always; 'auto' when the user
 *                   says goodbye and an end tool exists, or a tool shares >= 2 significant
 *                   words with the last user message (skipped when tool results await an answer)
 *   3. structured   response_format json_schema / json_object
 *   4. tool_result  tool results after the last user message → "Here is what I found: ..."
 *   5. say_exactly  `Say exactly:` in the system prompt → that text, verbatim
 *   6. opening      no user message yet → `Opening:` line / `first sentence:` text /
 *                   the `Node prompt:` rewritten / "Hello, this is <Name>. How can I help..."
 *   7. farewell     the user is ending the call → FAREWELL
 *   8. node_prompt  `Node prompt:` → its first sentence, rewritten as speech
 *   9. dialogue     `You said "<user, 80 chars>". <task sentence, cycling by turn>`
 *                   (sentences from the `Task:` marker's text when present, else the whole system prompt)
 */

export const FAREWELL = 'Thank you for your time. Goodbye!';

export interface ChatMessage {
  role: string;
  content?: unknown;
  name?: string;
  tool_call_id?: string;
  tool_calls?: unknown;
}

export interface ChatTool {
  type: string;
  function?: { name: string; description?: string; parameters?: JsonSchema };
}

export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: ChatTool[] | null;
  tool_choice?: ToolChoice | null;
  response_format?: { type: string; json_schema?: { name?: string; schema?: JsonSchema } } | null;
}

export type ReplyRule =
  | 'script' | 'tool' | 'structured' | 'tool_result' | 'say_exactly' | 'opening' | 'farewell' | 'node_prompt' | 'dialogue';

export interface PlannedToolCall {
  id: string;
  name: string;
  /** JSON text, as on the wire. */
  arguments: string;
}

export interface PlannedReply {
  content: string | null;
  toolCalls: PlannedToolCall[];
  finishReason: 'stop' | 'tool_calls';
  rule: ReplyRule;
}

export interface PlanOptions {
  scripted?: ScriptedReply;
  /** Supplies tool call ids; the caller owns the counter so ids stay unique per server. */
  nextCallId: () => string;
}

/** Text of a message content: a string, or the text parts of a content array. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p: unknown) => (p && typeof p === 'object' && 'text' in p && typeof p.text === 'string' ? p.text : ''))
    .filter(Boolean)
    .join('\n');
}

const isSystem = (m: ChatMessage) => m.role === 'system' || m.role === 'developer';
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n).trimEnd()}...` : s);
const sentenceCase = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const firstSentence = (s: string) => oneLine(s).split(/(?<=[.!?])\s+/)[0] ?? '';

export function isEnding(text: string): boolean {
  return /\b(bye|bye-bye|goodbye|good-bye|good bye|that's all|that is all|hang up|not interested|stop calling|don't call|do not call)\b/i.test(
    text.replace(/’/g, "'"),
  );
}

export function planReply(req: ChatRequest, opts: PlanOptions): PlannedReply {
  const msgs = req.messages;
  const lastUserIdx = msgs.map((m) => m.role).lastIndexOf('user');
  const user = lastUserIdx >= 0 ? oneLine(contentText(msgs[lastUserIdx]?.content)) : undefined;
  const system = msgs.filter(isSystem).map((m) => contentText(m.content)).join('\n');
  const toolResults = msgs.slice(lastUserIdx + 1).filter((m) => m.role === 'tool').map((m) => oneLine(contentText(m.content)));
  const conversationText = msgs.filter((m) => !isSystem(m)).map((m) => contentText(m.content)).join('\n');
  const turn = msgs.filter((m) => m.role === 'user').length;
  const text = (content: string, rule: ReplyRule): PlannedReply => ({ content, toolCalls: [], finishReason: 'stop', rule });
  const speak = () => dialogue(system, user, turn);

  if (opts.scripted) {
    const s = opts.scripted;
    const toolCalls = s.tool_call
      ? [{ id: opts.nextCallId(), name: s.tool_call.name, arguments: JSON.stringify(s.tool_call.arguments ?? {}) }]
      : [];
    const content = s.json !== undefined ? JSON.stringify(s.json) : (s.content ?? (toolCalls.length ? null : ''));
    return { content, toolCalls, finishReason: toolCalls.length ? 'tool_calls' : 'stop', rule: 'script' };
  }

  const tool = chooseTool(req, user ?? '', toolResults.length > 0);
  if (tool) {
    const hint = tool.ending ? (p: string) => (/message|farewell|goodbye|closing|final|say/i.test(p) ? FAREWELL : undefined) : undefined;
    const schema = tool.fn.parameters ?? { type: 'object', properties: {} };
    const args = fillSchema(schema, { userText: user ?? '', conversationText, hint });
    return {
      content: null,
      toolCalls: [{ id: opts.nextCallId(), name: tool.fn.name, arguments: JSON.stringify(args) }],
      finishReason: 'tool_calls',
      rule: 'tool',
    };
  }

  const format = req.response_format;
  if (format?.type === 'json_schema') {
    // Properties that are the assistant's own utterance get the dialogue reply, not an echo.
    const hint = (p: string) => (/^(reply|response|answer|assistant_?message|say|utterance)$/i.test(p) ? speak().text : undefined);
    const value = fillSchema(format.json_schema?.schema ?? { type: 'object' }, { userText: user ?? '', conversationText, hint });
    return text(JSON.stringify(value), 'structured');
  }
  if (format?.type === 'json_object') return text(JSON.stringify({ reply: speak().text }), 'structured');

  if (toolResults.length > 0) return text(`Here is what I found: ${truncate(toolResults.join('; '), 200)}`, 'tool_result');
  const spoken = speak();
  return text(spoken.text, spoken.rule);
}

function functionTools(req: ChatRequest) {
  return (req.tools ?? []).flatMap((t) => (t.type === 'function' && t.function ? [t.function] : []));
}

/** end_call, endCall, hangup — but not send_email: whole name words, not substrings. */
const isEndTool = (name: string) => {
  const w = words(name);
  return w.includes('end') || w.includes('hangup') || (w.includes('hang') && w.includes('up'));
};

function chooseTool(req: ChatRequest, user: string, awaitingAnswer: boolean) {
  const tools = functionTools(req);
  const choice = req.tool_choice ?? 'auto';
  if (tools.length === 0 || choice === 'none') return undefined;
  if (typeof choice === 'object') {
    const fn = tools.find((t) => t.name === choice.function.name);
    return fn && { fn, ending: isEndTool(fn.name) && isEnding(user) };
  }
  const endTool = isEnding(user) ? tools.find((t) => isEndTool(t.name)) : undefined;
  if (endTool) {
    if (choice === 'required' || !awaitingAnswer) return { fn: endTool, ending: true };
  }
  let best = { fn: tools[0]!, score: -1 };
  for (const fn of tools) {
    const score = overlap(`${fn.name} ${fn.description ?? ''}`, user);
    if (score > best.score) best = { fn, score };
  }
  if (choice === 'required' || (!awaitingAnswer && best.score >= 2)) return { fn: best.fn, ending: false };
  return undefined;
}

/** Text after the last `marker` (case-insensitive): a quoted block, else the rest of the line. */
export function markerText(prompt: string, marker: string): string | undefined {
  const at = prompt.toLowerCase().lastIndexOf(marker.toLowerCase());
  if (at < 0) return undefined;
  let rest = prompt.slice(at + marker.length).replace(/^[ \t]*/, '');
  if (rest.startsWith('\n')) rest = rest.replace(/^\s+/, '');
  const quoted = /^["“]([\s\S]*?)["”][ \t]*(?:\r?\n|$)/.exec(rest);
  const value = quoted ? quoted[1]! : (rest.split(/\r?\n/)[0] ?? '');
  return value.trim() || undefined;
}

const PRONOUNS: Record<string, string> = {
  their: 'your', theirs: 'yours', they: 'you', them: 'you', "they're": "you're", themselves: 'yourself',
  "caller's": 'your', "user's": 'your', "customer's": 'your', his: 'your', her: 'your',
};
const swapPronouns = (s: string) =>
  s.replace(/\bthe (?=(?:caller|user|customer)'s\b)/gi, '').replace(/\b[\w']+\b/g, (w) => PRONOUNS[w.toLowerCase()] ?? w);
const WHO = String.raw`(?:the\s+)?(?:caller|user|customer|client|patient|lead|person|prospect|them|him|her)`;
const endWith = (s: string, p: string) => (/[.!?]$/.test(s) ? s : `${s}${p}`);

/** Turns an instruction ("Ask the caller for their email.") into speech ("Could you please tell me your email?"). */
export function rewriteInstruction(sentence: string, greeting: string): string {
  const s = oneLine(sentence).replace(/\s+(?:with|to|from)\s+the\s+(?:caller|user|customer)\b/i, '').replace(/[.!?]+$/, '');
  let m: RegExpExecArray | null;
  if (/^(greet|welcome|say hello|introduce)\b/i.test(s)) return greeting;
  if (/^thank\b/i.test(s)) return /bye|end|hang/i.test(s) ? FAREWELL : 'Thank you!';
  if ((m = new RegExp(String.raw`^(?:ask\s+(?:${WHO}\s+)?(?:for|about)|collect|gather|get|obtain|request)\s+(.*)$`, 'i').exec(s))) {
    return `Could you please tell me ${swapPronouns(m[1]!).replace(/^the\s+/i, 'your ')}?`;
  }
  if ((m = new RegExp(String.raw`^ask\s+(?:${WHO}\s+)?(.*)$`, 'i').exec(s))) return `Could you tell me ${swapPronouns(m[1]!)}?`;
  if ((m = new RegExp(String.raw`^(?:tell|inform|remind|explain|let)\s+(?:${WHO}\s+(?:know\s+)?(?:that\s+)?|that\s+)(.*)$`, 'i').exec(s))) {
    return endWith(sentenceCase(swapPronouns(m[1]!)), '.');
  }
  if ((m = /^(?:confirm|verify)\s+(.*)$/i.exec(s))) return `Can you confirm ${swapPronouns(m[1]!)}?`;
  return endWith(sentenceCase(swapPronouns(s)), '.');
}

const MARKER_LINE = /^\s*(opening:|node prompt:|say exactly:).*$|first sentence:.*$/gim;

function dialogue(system: string, user: string | undefined, turn: number): { text: string; rule: ReplyRule } {
  const exact = markerText(system, 'Say exactly:');
  if (exact) return { text: exact, rule: 'say_exactly' };
  const name = /\b[Yy]ou are ([A-Z][a-z]+)\b/.exec(system)?.[1];
  const greeting = `Hello, this is ${name ?? 'your assistant'}. How can I help you today?`;
  const node = markerText(system, 'Node prompt:');
  if (user === undefined) {
    const opening = markerText(system, 'Opening:') ?? markerText(system, 'first sentence:');
    if (opening) return { text: opening, rule: 'opening' };
    if (!node) return { text: greeting, rule: 'opening' };
    const rewritten = rewriteInstruction(firstSentence(node), greeting);
    return { text: /^(hello|hi|hey)\b/i.test(rewritten) ? rewritten : `Hello! ${rewritten}`, rule: 'opening' };
  }
  if (isEnding(user)) return { text: FAREWELL, rule: 'farewell' };
  if (node) return { text: rewriteInstruction(firstSentence(node), greeting), rule: 'node_prompt' };
  // The agent's own instructions are not dialogue: with a `Task:` marker, only the task is drawn from.
  const source = markerText(system, 'Task:') ?? system;
  const all = oneLine(source.replace(MARKER_LINE, '')).split(/(?<=[.!?])\s+/).filter((s) => s.split(' ').length >= 3);
  const task = all.filter((s) => !/^you are\b/i.test(s));
  const pool = task.length > 0 ? task : all;
  const next = pool.length > 0 ? rewriteInstruction(pool[(turn - 1) % pool.length]!, greeting) : 'How else can I help you?';
  return { text: `You said "${truncate(user, 80)}". ${next}`, rule: 'dialogue' };
}
