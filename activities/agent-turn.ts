import { Context } from '@temporalio/activity';
import type { ChatMessage, FunctionTool } from '../src/llm/chat-model';
import { parsePhoneNumber, mask } from '../src/phone';
import { renderTemplate } from '../src/templating';
import type { AgentDecision, TransferSettings, TranscriptLine } from '../src/workflow-api/call';
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

export function buildMessages(input: AgentTurnInput): ChatMessage[] {
  const task = input.task ? renderTemplate(input.task, input.variables) : 'Have a helpful conversation.';
  const system = [...PHONE_RULES, `Language: ${input.language}.`, '', `Task: ${task}`].join('\n');
  const history: ChatMessage[] = input.transcript
    .filter((l) => l.user === 'user' || l.user === 'assistant')
    .map((l) => ({ role: l.user === 'user' ? 'user' : 'assistant', content: l.text }));
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

export function createAgentTurnActivities({ chat }: Pick<ActivityDeps, 'chat'>) {
  return {
    /** One agent turn: prompt, model, decision. Ordinary retries; no writes (the workflow records the turn). */
    async agentTurn(input: AgentTurnInput): Promise<AgentDecision> {
      const transfer = transferTool(input.transfer);
      // Heartbeats let Temporal see a dead worker in seconds, not at the turn's full timeout: a caller is waiting.
      const context = Context.current();
      const beat = setInterval(() => context.heartbeat(), 1000);
      const result = await chat
        .complete({
          messages: buildMessages(input),
          model: input.model,
          temperature: input.temperature,
          tools: transfer ? [END_CALL_TOOL, transfer] : [END_CALL_TOOL],
        })
        .finally(() => clearInterval(beat));
      const content = (result.content ?? '').trim();
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
