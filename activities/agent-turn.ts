import type { ChatMessage, FunctionTool } from '../src/llm/chat-model';
import { renderTemplate } from '../src/templating';
import type { AgentDecision, TranscriptLine } from '../src/workflow-api/call';
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

export function createAgentTurnActivities({ chat }: Pick<ActivityDeps, 'chat'>) {
  return {
    /** One agent turn: prompt, model, decision. Ordinary retries; no writes (the workflow records the turn). */
    async agentTurn(input: AgentTurnInput): Promise<AgentDecision> {
      const result = await chat.complete({
        messages: buildMessages(input),
        model: input.model,
        temperature: input.temperature,
        tools: [END_CALL_TOOL],
      });
      const end = result.toolCalls.find((c) => c.name === END_CALL_TOOL.name);
      if (end) {
        const farewell = typeof end.arguments.farewell === 'string' ? end.arguments.farewell : '';
        return { say: (result.content ?? farewell).trim() || 'Goodbye!', action: 'end', modelMs: result.elapsedMs };
      }
      return { say: (result.content ?? '').trim(), action: 'continue', modelMs: result.elapsedMs };
    },
  };
}
