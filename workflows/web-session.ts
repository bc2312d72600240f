import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { type AgentReply, callStateQuery, type CallWorkflowInput, stopCallSignal } from '../src/workflow-api/call';
import {
  MAX_WEB_MESSAGE_CHARS,
  WEB_CALL_ENDED,
  WEB_STALE_CONNECTION,
  WEB_TURN_FAILED,
  webConnectUpdate,
  webDisconnectedSignal,
  type WebEnding,
  webEndSignal,
  type WebLine,
  type WebTurnReply,
  webTurnUpdate,
  webWatchUpdate,
} from '../src/workflow-api/web-call';
import { Conversation } from './conversation';
import { currentEngine } from './engine-version';
import { typedTurnFailure, untilSaid } from './text-turn';

/**
 * The web channel around the one conversation engine: the browser's sockets (numbered
 * connections, the grace period after a drop), its turns (one at a time), and the ways the call
 * ends. webCallWorkflow drives the phases; this class answers the gateway's updates and signals.
 */
export class WebSession {
  readonly conversation: Conversation;
  agentEnded = false;
  visitorEnded = false;
  stopReason: string | null = null;
  /** Set once the conversation is over (before the post-call work): watchers and refusals see it. */
  ending: WebEnding | null = null;
  /** The newest socket's number; only its drop starts the grace period. */
  connection = 0;
  connected = false;
  /** When the last socket dropped (the workflow's start, before the first one joins). */
  disconnectedAt = Date.now();
  /** The opening (first_sentence or the agent's first turn) has been said. */
  opened = false;
  busy = false;
  private transferNote: string | null = null;

  constructor(private readonly input: CallWorkflowInput) {
    this.conversation = new Conversation(input, {
      agentEnds: () => {
        this.agentEnded = true;
      },
      transferTo: (number) => {
        this.agentEnded = true;
        this.transferNote = `Transfer Call node reached (transfer to ${number} is not dialled in a web call)`;
      },
      transferFailed: (error) => {
        this.transferNote = error;
      },
    }, currentEngine(input));
  }

  /** Something has ended the conversation (the loop turns it into `ending`). */
  get over(): boolean {
    return this.ending !== null || this.agentEnded || this.visitorEnded || this.stopReason !== null;
  }

  /** The browser's view of the transcript, after line `afterSeq`. */
  lines(afterSeq = -1): WebLine[] {
    return this.conversation.transcript
      .filter((l) => l.seq > afterSeq && (l.user === 'user' || l.user === 'assistant'))
      .map((l) => ({ seq: l.seq, role: l.user === 'user' ? ('user' as const) : ('assistant' as const), text: l.text }));
  }

  /** Runs one reply (the opening, or a turn) alone, and notes a transfer the agent asked for. */
  async say(run: () => Promise<AgentReply>): Promise<WebTurnReply> {
    await condition(() => !this.busy);
    // A turn that waited behind another may find the call over by then.
    if (this.opened && this.over) throw ApplicationFailure.nonRetryable('This web call has ended', WEB_CALL_ENDED);
    this.busy = true;
    const from = this.conversation.transcript.length - 1;
    try {
      let result: Awaited<ReturnType<typeof untilSaid>>;
      try {
        result = await untilSaid(this.conversation, run());
      } catch (err) {
        throw typedTurnFailure(err, WEB_TURN_FAILED);
      }
      if (this.transferNote) {
        this.conversation.note('info', this.transferNote);
        this.transferNote = null;
      }
      const { reply, said } = result;
      if (reply.action === 'end') this.conversation.note('info', 'End Call node reached');
      return { say: said, lines: this.lines(from), action: reply.action, node: this.conversation.pathwayNode, ended: this.agentEnded };
    } finally {
      this.busy = false;
    }
  }

  registerHandlers(): void {
    const input = this.input;
    const conversation = this.conversation;
    setHandler(callStateQuery, () => ({
      callId: input.callId, attempt: 0, queueStatus: this.ending ? 'complete' : 'started', providerStatus: null, providerCallSid: null,
      answeredBy: null, turn: conversation.turnCount, variables: { ...conversation.variables, ...conversation.pathwayVariables },
      transcript: [...conversation.transcript], pathwayNode: conversation.pathwayNode, ...conversation.unrecorded,
    }));
    setHandler(stopCallSignal, ({ reason }) => {
      this.stopReason ??= reason;
    });
    setHandler(webEndSignal, () => {
      this.visitorEnded = true;
    });
    setHandler(webDisconnectedSignal, ({ connection }) => {
      if (connection !== this.connection || !this.connected) return;
      this.connected = false;
      this.disconnectedAt = Date.now();
    });
    setHandler(
      webConnectUpdate,
      async ({ connection, afterSeq }) => {
        this.connection = connection;
        this.connected = true;
        await condition(() => this.opened || this.ending !== null);
        return { lines: this.lines(afterSeq), node: conversation.pathwayNode, ended: this.ending };
      },
      {
        validator: ({ connection, afterSeq }) => {
          if (this.ending !== null) throw ApplicationFailure.nonRetryable('This web call has ended', WEB_CALL_ENDED);
          if (!Number.isInteger(connection) || connection <= this.connection) throw ApplicationFailure.nonRetryable('A newer connection has joined this call', WEB_STALE_CONNECTION);
          if (!Number.isInteger(afterSeq)) throw new Error('afterSeq must be an integer');
        },
      },
    );
    setHandler(webTurnUpdate, ({ text }) => this.say(() => conversation.hear(text)), {
      validator: ({ text }) => {
        if (this.over) throw ApplicationFailure.nonRetryable('This web call has ended', WEB_CALL_ENDED);
        if (typeof text !== 'string' || text.length > MAX_WEB_MESSAGE_CHARS) throw new Error(`text must be a string of at most ${MAX_WEB_MESSAGE_CHARS} characters`);
      },
    });
    setHandler(webWatchUpdate, async ({ connection }) => {
      await condition(() => this.ending !== null || this.connection !== connection);
      return { ended: this.ending, superseded: this.ending === null };
    });
  }
}
