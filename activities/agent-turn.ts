import { Context } from '@temporalio/activity';
import type { ChatMessage, FunctionTool } from '../src/llm/chat-model';
import { parsePhoneNumber, mask } from '../src/phone';
import { renderTemplate } from '../src/templating';
import { toolFunction } from '../src/tools/function-schema';
import type { ToolSpec } from '../src/tools/types';
import type { AgentDecision, ToolExchange, TransferSettings, TranscriptLine } from '../src/workflow-api/call';
import type { ActivityDeps } from './deps';

export interface AgentTurnInput {
  callId: string;
  orgId: string;
  task: string | null;
  variables: Record<string, unknown>;
  /** Everything said so far, including the caller's newest utterance. */
  transcript: TranscriptLine[];
  model: string | null;
  temperature: number | null;
  language: string;
  transfer: TransferSettings;
  /** The call's custom tools, offered as functions. Absent for calls without tools (and in old histories). */
  tools?: ToolSpec[];
  /** Earlier tool calls and their results, placed where they happened in the conversation. */
  toolExchanges?: ToolExchange[];
  /** `dynamic_data` context lines: facts the agent knows before the call starts. */
  knowledge?: string[];
}

const END_CALL_TOOL: FunctionTool = {
  name: 'end_call',
  description: 'End the phone call when the objective is complete or the person wants to hang up.',
  parameters: {
    type: 'object',
    properties: { farewell: { type: 'string', description: 'The last sentence to say before hanging up.' } },
    required: ['farewell'],
    additionalProperties: false,
  },
};

const DEFAULT_DESTINATION = 'default';

/** Offered only when the call has somewhere to transfer to; the model picks a destination by its label. */
function transferTool(transfer: TransferSettings): FunctionTool | null {
  const labels = Object.keys(transfer.list);
  const destinations = transfer.phoneNumber && !labels.includes(DEFAULT_DESTINATION) ? [DEFAULT_DESTINATION, ...labels] : labels;
  if (destinations.length === 0) return null;
  return {
    name: 'transfer_call',
    description: `Transfer the call to a human agent, a person or a department when the caller asks to be transferred or the task requires it. Destinations: ${destinations.join(', ')}.`,
    parameters: {
      type: 'object',
      properties: {
        destination: { type: 'string', enum: destinations, description: 'Where to transfer the call.' },
        message: { type: 'string', description: 'What to say before transferring.' },
      },
      required: ['destination'],
      additionalProperties: false,
    },
  };
}

const PHONE_RULES = [
  'You are an AI agent speaking with a person on a live phone call.',
  'Reply with what you say next, in one to three short spoken sentences, with no markup.',
  'Call end_call when the objective is complete or the person wants to end the call.',
];

const TOOL_RULE = 'When a tool result says it failed, tell the caller plainly and do not invent its result.';

export function buildMessages(input: AgentTurnInput): ChatMessage[] {
  const task = input.task ? renderTemplate(input.task, input.variables) : 'Have a helpful conversation.';
  const knowledge = input.knowledge?.length ? ['', 'Knowledge:', ...input.knowledge.map((k) => `- ${k}`)] : [];
  const rules = input.tools?.length ? [...PHONE_RULES, TOOL_RULE] : PHONE_RULES;
  const system = [...rules, `Language: ${input.language}.`, '', `Task: ${task}`, ...knowledge].join('\n');
  const exchanges = input.toolExchanges ?? [];
  const history: ChatMessage[] = [];
  const pushExchanges = (afterLine: number) => {
    for (const x of exchanges.filter((e) => e.afterLine === afterLine)) {
      history.push({ role: 'assistant', content: '', toolCalls: [{ id: x.toolCallId, name: x.name, arguments: x.arguments }] });
      history.push({ role: 'tool', toolCallId: x.toolCallId, content: x.result });
    }
  };
  input.transcript.forEach((l, i) => {
    pushExchanges(i);
    if (l.user === 'user' || l.user === 'assistant') history.push({ role: l.user === 'user' ? 'user' : 'assistant', content: l.text });
  });
  pushExchanges(input.transcript.length);
  return [{ role: 'system', content: system }, ...history];
}

function resolveTransfer(transfer: TransferSettings, destination: unknown): { transferTo?: string; transferError?: string } {
  const label = typeof destination === 'string' ? destination : DEFAULT_DESTINATION;
  const raw = transfer.list[label] ?? transfer.list[DEFAULT_DESTINATION] ?? transfer.phoneNumber;
  if (!raw) return { transferError: `Transfer failed: no number for destination "${label.slice(0, 50)}".` };
  const parsed = parsePhoneNumber(raw);
  if (!parsed.ok) return { transferError: `Transfer failed: ${mask(raw)} is not a valid phone number.` };
  return { transferTo: parsed.e164 };
}

/**
 * A call of one of the call's custom tools becomes turn work: its speech (the model's
 * `input.speech`, else the tool's fixed `speech`) is said at once while the tool runs.
 */
function customToolCall(
  tools: ToolSpec[] | undefined,
  calls: ReadonlyArray<{ id?: string; name: string; arguments: Record<string, unknown> }>,
  variables: Record<string, unknown>,
): Omit<AgentDecision, 'modelMs'> | null {
  for (const [i, call] of calls.entries()) {
    const tool = tools?.find((t) => t.name === call.name);
    if (!tool) continue;
    const spoken = typeof call.arguments.speech === 'string' ? call.arguments.speech : renderTemplate(tool.speech ?? '', { ...variables, input: call.arguments });
    return {
      say: spoken.trim(),
      action: 'continue',
      work: { kind: 'tool', toolCallId: call.id ?? `call_${i}`, tool, input: call.arguments },
    };
  }
  return null;
}

export function createAgentTurnActivities({ chat }: Pick<ActivityDeps, 'chat'>) {
  return {
    /** One agent turn: prompt, model, decision. Ordinary retries; no writes (the workflow records the turn). */
    async agentTurn(input: AgentTurnInput): Promise<AgentDecision> {
      const transfer = transferTool(input.transfer);
      // As a normal activity (workflows older than local turns), heartbeats let Temporal see a dead worker in
      // seconds, not at the turn's full timeout. As a local activity they do nothing: the workflow task is the lease.
      const context = Context.current();
      const beat = setInterval(() => context.heartbeat(), 1000);
      const result = await chat
        .complete({
          messages: buildMessages(input),
          model: input.model,
          temperature: input.temperature,
          tools: [END_CALL_TOOL, ...(transfer ? [transfer] : []), ...(input.tools ?? []).map(toolFunction)],
        })
        .finally(() => clearInterval(beat));
      const content = (result.content ?? '').trim();
      const custom = customToolCall(input.tools, result.toolCalls, input.variables);
      if (custom) return { ...custom, modelMs: result.elapsedMs, say: custom.say || content };
      const transferCall = result.toolCalls.find((c) => c.name === transfer?.name);
      if (transferCall) {
        const message = typeof transferCall.arguments.message === 'string' ? transferCall.arguments.message : '';
        const say = content || message || 'Please hold while I transfer your call.';
        return { say, action: 'transfer', modelMs: result.elapsedMs, ...resolveTransfer(input.transfer, transferCall.arguments.destination) };
      }
      const end = result.toolCalls.find((c) => c.name === END_CALL_TOOL.name);
      if (end) {
        const farewell = typeof end.arguments.farewell === 'string' ? end.arguments.farewell : '';
        return { say: content || farewell || 'Goodbye!', action: 'end', modelMs: result.elapsedMs };
      }
      return { say: content, action: 'continue', modelMs: result.elapsedMs };
    },
  };
}
