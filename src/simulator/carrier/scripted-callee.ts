import type { CalleeScript } from './callee-script';

/** A machine that hears nothing for this many prompts hangs up. */
const MACHINE_SILENT_TURNS = 3;

/** What the far end of a simulated call reaches of the call it is on. */
export interface CalleeLine {
  /** Waits `ms`, or less when the call is hung up or redirected meanwhile. */
  pause(ms: number): Promise<void>;
  /** Whether the agent has said anything yet. */
  agentHasSpoken(): boolean;
  /** The callee's line, in the call's transcript. */
  say(text: string): void;
  /** The answering-machine detection's verdict once the machine's message has played (DetectMessageEnd); absent when the dial did not ask for detection. */
  reportMachineEnd?(): Promise<void>;
}

/**
 * The scripted party who answers a simulated call, prompt by prompt: a person's greeting and
 * replies, or a machine that records silence and gives up.
 */
export class ScriptedCallee {
  private utteranceIndex = 0;
  private greeted = false;
  private machineTurns = 0;

  constructor(
    private readonly script: CalleeScript,
    private readonly line: CalleeLine,
    private readonly defaultSpeechDelayMs: number,
  ) {}

  /** The answer to a prompt: a line ("" is silence), or null when the callee hangs up instead. */
  async listen(): Promise<string | null> {
    if (this.script.answer === 'machine') return this.machineListens();
    await this.line.pause(this.script.speechDelayMs ?? this.defaultSpeechDelayMs);
    const reply = !this.line.agentHasSpoken() && !this.greeted ? this.script.greeting : this.nextUtterance();
    this.greeted = true;
    if (reply) this.line.say(reply);
    return reply;
  }

  private async machineListens(): Promise<string | null> {
    if (this.machineTurns === 0) await this.line.reportMachineEnd?.();
    this.machineTurns += 1;
    await this.line.pause(this.script.machineRecordMs);
    return this.machineTurns >= MACHINE_SILENT_TURNS ? null : '';
  }

  private nextUtterance(): string | null {
    if (this.utteranceIndex >= this.script.utterances.length) return null;
    return this.script.utterances[this.utteranceIndex++] ?? null;
  }
}
