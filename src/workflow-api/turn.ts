import type { ToolSpec } from '../tools/types';
import type { WebhookOutcome, WebhookRequest } from '../pathway/turn';
import type { SpeechSettings } from './call';

/** One turn of the conversation engine: what the agent decides, says and sets running (imported through ./call). */

export type AgentAction = 'continue' | 'end' | 'transfer';

/**
 * Work during a turn: the seam between the agent's decision and slow side effects. When a turn's
 * decision carries `work`, its `say` is spoken AT ONCE, and the work runs in its own activity
 * (runTurnWork in workflows/turn-work.ts is the one dispatch point); then the agent turn runs
 * again with the work's outcome and that follow-up is what the caller hears next. On the phone
 * the reply is `<Say>` + `<Redirect>` to the `continue` webhook, whose `continueTurn` update
 * returns the follow-up; a transport without a carrier (chat) simply awaits
 * CallSession.continueTurn(). New kinds (e.g. a pathway webhook node: `{kind: 'webhook', ...}`)
 * join this union and get one case in runTurnWork; the transport never looks inside.
 */
export type TurnWork = ToolWork | WebhookWork;

/** The model called a custom tool. */
export interface ToolWork {
  kind: 'tool';
  /** The model's tool-call id, so the result answers that call. */
  toolCallId: string;
  tool: ToolSpec;
  /** The model's arguments: `{{input}}` / `{{input.x}}` in the request templates. */
  input: Record<string, unknown>;
}

/** A pathway Webhook node: its `text` is said at once while its request runs. */
export interface WebhookWork {
  kind: 'webhook';
  request: WebhookRequest;
}

/** What a piece of work leaves behind, whatever its kind. */
export interface TurnWorkOutcome {
  kind: TurnWork['kind'];
  ok: boolean;
  /** Variables that join the call's ({{name}}, {{name.sub}}). */
  variables: Record<string, unknown>;
  /** What the model is told (JSON text), as the answer to the call that asked for the work. */
  resultForModel: string;
  /** One line for the event stream. */
  message: string;
  /** A webhook node's result, for the pathway to resume with. */
  webhook?: WebhookOutcome;
}

/** A tool call and its answer, kept so later turns show the model what it did and learned. */
export interface ToolExchange {
  /** Transcript length when the tool was called: where the exchange sits in the conversation. */
  afterLine: number;
  toolCallId: string;
  name: string;
  arguments: Record<string, unknown>;
  result: string;
}

/** What the agent says next and what the transport should do after saying it. */
export interface AgentDecision {
  say: string;
  action: AgentAction;
  /** Time spent inside the model, so the transport overhead can be measured apart from it. */
  modelMs: number;
  /** With action `transfer`: the E.164 number to dial. */
  transferTo?: string;
  /** With a transfer the model asked for but that cannot be dialled (e.g. an invalid number). */
  transferError?: string;
  /** Work to run while `say` is spoken; the follow-up comes from continueTurn. Absent = none. */
  work?: TurnWork;
}

export interface AgentReply extends AgentDecision {
  /** How to speak it, so the transport needs no read of its own. */
  speech: SpeechSettings;
}

