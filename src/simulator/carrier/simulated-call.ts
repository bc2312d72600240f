import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CalleeScript } from './callee-script';
import { postSignedWebhook } from './signed-webhook';
import { readTwiml, type Verb } from './twiml-reader';

export interface DialRequest {
  accountSid: string;
  to: string;
  from: string;
  url: string;
  statusCallback: string | null;
  statusCallbackEvents: string[];
  timeoutSeconds: number;
}

export interface SimLine {
  speaker: 'agent' | 'callee';
  text: string;
  at: string;
}

const MAX_TWIML_FETCHES = 1000;

/**
 * One simulated call: the carrier's side (statuses, callbacks, TwiML fetches) and the scripted
 * callee's side (pick-up, replies, hang-up) in one state machine.
 */
export class SimulatedCall {
  readonly sid = `CA${randomBytes(16).toString('hex')}`;
  readonly createdAt = new Date();
  status = 'queued';
  answeredAt: Date | null = null;
  endedAt: Date | null = null;
  endedBy: 'agent' | 'callee' | 'api' | 'carrier' | null = null;
  transferredTo: string | null = null;
  errors: string[] = [];
  readonly transcript: SimLine[] = [];
  private hangupRequested = false;
  private seq = 0;
  private utteranceIndex = 0;
  readonly done: Promise<void>;

  constructor(
    readonly req: DialRequest,
    private readonly script: CalleeScript,
    private readonly authToken: string,
    private readonly defaultSpeechDelayMs: number,
  ) {
    this.done = this.run().catch((err: unknown) => {
      this.errors.push(err instanceof Error ? err.message : String(err));
    });
  }

  get durationSeconds(): number {
    if (!this.answeredAt) return 0;
    return Math.max(0, Math.round(((this.endedAt ?? new Date()).getTime() - this.answeredAt.getTime()) / 1000));
  }

  /** The REST API's `Status=completed` (or `canceled`): the application hangs up. */
  requestHangup(): void {
    this.hangupRequested = true;
  }

  private baseParams(): Record<string, string> {
    return {
      CallSid: this.sid,
      AccountSid: this.req.accountSid,
      From: this.req.from,
      To: this.req.to,
      CallStatus: this.status,
      Direction: 'outbound-api',
      ApiVersion: '2010-04-01',
    };
  }

  private async setStatus(status: string, event: string): Promise<void> {
    this.status = status;
    if (!this.req.statusCallback || !this.req.statusCallbackEvents.includes(event)) return;
    const params: Record<string, string> = { ...this.baseParams(), CallbackSource: 'call-progress-events', SequenceNumber: String(this.seq++) };
    if (event === 'completed') params.CallDuration = String(this.durationSeconds);
    try {
      await postSignedWebhook(this.authToken, this.req.statusCallback, params);
    } catch (err) {
      this.errors.push(`status callback ${status}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async run(): Promise<void> {
    await this.setStatus('initiated', 'initiated');
    await this.setStatus('ringing', 'ringing');
    const ring = Math.min(this.script.ringMs, this.req.timeoutSeconds * 1000);
    if (ring > 0) await sleep(ring);
    if (this.hangupRequested) return this.finish('canceled', 'api');
    if (this.script.answer === 'busy' || this.script.answer === 'failed') return this.finish(this.script.answer, 'carrier');
    if (this.script.answer === 'no-answer') return this.finish('no-answer', 'carrier');
    this.answeredAt = new Date();
    await this.setStatus('in-progress', 'answered');
    if (this.script.hangUpAfterMs !== undefined) {
      setTimeout(() => {
        this.endedBy ??= 'callee';
        this.hangupRequested = true;
      }, this.script.hangUpAfterMs).unref();
    }
    await this.converse();
    return this.finish('completed', this.endedBy ?? 'callee');
  }

  private async fetchTwiml(url: string, extra: Record<string, string> = {}): Promise<Verb[] | null> {
    const res = await postSignedWebhook(this.authToken, url, { ...this.baseParams(), ...extra });
    if (res.status < 200 || res.status >= 300) {
      this.errors.push(`webhook ${new URL(url).pathname} answered ${res.status}`);
      return null;
    }
    try {
      return readTwiml(res.body);
    } catch (err) {
      this.errors.push(`invalid TwiML: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
  }

  private async converse(): Promise<void> {
    let verbs = await this.fetchTwiml(this.req.url);
    for (let fetches = 0; verbs && fetches < MAX_TWIML_FETCHES && !this.hangupRequested; fetches++) {
      verbs = await this.execute(verbs);
    }
  }

  /** Runs a TwiML document; returns the next document when a verb moves on to another URL. */
  private async execute(verbs: Verb[]): Promise<Verb[] | null> {
    for (const v of verbs) {
      if (this.hangupRequested) return null;
      switch (v.verb) {
        case 'Say':
          if (v.text) this.transcript.push({ speaker: 'agent', text: v.text, at: new Date().toISOString() });
          break;
        case 'Gather': {
          await this.execute(v.children);
          if (this.hangupRequested) return null;
          const reply = this.nextUtterance();
          if (reply === null) {
            this.endedBy = 'callee';
            return null;
          }
          await sleep(this.script.speechDelayMs ?? this.defaultSpeechDelayMs);
          if (this.hangupRequested) return null;
          if (reply) this.transcript.push({ speaker: 'callee', text: reply, at: new Date().toISOString() });
          if (!v.action) return null;
          return this.fetchTwiml(v.action, reply ? { SpeechResult: reply, Confidence: '0.92' } : {});
        }
        case 'Hangup':
          this.endedBy = 'agent';
          return null;
        case 'Redirect':
          return this.fetchTwiml(v.url);
        case 'Dial':
          this.transferredTo = v.number;
          this.endedBy = 'agent';
          return null;
        default:
          break;
      }
    }
    // A document that runs out of verbs ends the call, as on Twilio.
    this.endedBy ??= 'agent';
    return null;
  }

  private nextUtterance(): string | null {
    if (this.utteranceIndex >= this.script.utterances.length) return null;
    return this.script.utterances[this.utteranceIndex++] ?? null;
  }

  private async finish(status: string, by: NonNullable<SimulatedCall['endedBy']>): Promise<void> {
    this.endedAt = new Date();
    this.endedBy ??= by;
    // Twilio reports every final status (busy, no-answer, failed, canceled) as the `completed` event.
    await this.setStatus(status, 'completed');
  }
}
