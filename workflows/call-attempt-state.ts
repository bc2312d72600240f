import type { AnsweredBy } from '../src/db/types';
import type { TelephonyStatus } from '../src/workflow-api/call';

/** What one dial attempt learns. A retry starts a fresh one; the conversation's variables and transcript carry over. */
export class AttemptState {
  providerCallSid: string | null = null;
  providerStatus: TelephonyStatus | null = null;
  terminal: TelephonyStatus | null = null;
  durationSeconds: number | null = null;
  answeredBy: AnsweredBy = null;
  answeredAt: Date | null = null;
  endedAt: Date | null = null;
  endedByAgent = false;
  /** Why this attempt failed after connecting (a transfer that could not be made, …). */
  callError: string | null = null;
  dialError: string | null = null;
  transferTo: string | null = null;
  transferredTo: string | null = null;
  voicemailLeft = false;
  recording: { sid: string; url: string } | null = null;

  constructor(readonly number: number) {}

  get answered(): boolean {
    return this.answeredAt !== null;
  }

  /** Final telephony status seen, or the line went down for another reason. */
  get over(): boolean {
    return this.terminal !== null;
  }
}
