import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CallRecording, recordingCompletedForm } from './call-recording';
import type { CalleeScript } from './callee-script';
import type { CarrierContext, DialRequest, RecordingSource, SimLine } from './dial-request';
import { ScriptedCallee } from './scripted-callee';
import { postSignedWebhook } from './signed-webhook';
import { runBridgedLeg } from './sip-trunk';
import { readTwiml, type DialBridge, type Verb } from './twiml-reader';

const MAX_TWIML_FETCHES = 1000;
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * One simulated call, the carrier's side: statuses, callbacks, TwiML fetches and their verbs,
 * detection, recording. The party on the line (pick-up, replies) is a ScriptedCallee.
 */
export class SimulatedCall {
  readonly sid = `CA${randomBytes(16).toString('hex')}`;
  readonly createdAt = new Date();
  status = 'queued';
  answeredAt: Date | null = null;
  endedAt: Date | null = null;
  endedBy: 'agent' | 'callee' | 'api' | 'carrier' | null = null;
  transferredTo: string | null = null;
  recordingSid: string | null = null;
  private readonly recording: CallRecording;
  /** An incoming call the application refused with `<Reject>`. */
  rejected = false;
  errors: string[] = [];
  readonly transcript: SimLine[] = [];
  private hangupRequested = false;
  private redirect: Verb[] | null = null;
  private interrupt: (() => void) | null = null;
  private readonly callee: ScriptedCallee;
  private seq = 0;
  readonly done: Promise<void>;

  constructor(
    readonly req: DialRequest,
    private readonly script: CalleeScript,
    private readonly carrier: CarrierContext,
  ) {
    this.recording = new CallRecording(req);
    const amdCallback = req.amdCallback;
    this.callee = new ScriptedCallee(
      script,
      {
        pause: (ms) => this.pause(ms),
        agentHasSpoken: () => this.transcript.some((l) => l.speaker === 'agent'),
        say: (text) => this.say('callee', text),
        reportMachineEnd: amdCallback
          ? async () => void (await this.post(amdCallback, { ...this.baseParams(), AnsweredBy: 'machine_end_beep', MachineDetectionDuration: '4200' }))
          : undefined,
      },
      carrier.speechDelayMs,
    );
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
    this.interrupt?.();
  }

  /** The REST API's `Twiml=…`: the live call drops what it is doing and runs the new document. */
  requestRedirect(verbs: Verb[]): void {
    this.redirect = verbs;
    this.interrupt?.();
  }

  /**
   * The REST API's Calls/{sid}/Recordings create, or `<Start><Recording>`: records the call from now
   * on (CallRecording). Only a call in progress can be recorded (Twilio's 21220 otherwise).
   */
  startRecording(callback: string | null, source: RecordingSource = 'StartCallRecordingAPI'): ReturnType<CallRecording['start']> | 'not-in-progress' {
    if (this.status !== 'in-progress' || this.endedAt || this.hangupRequested) return 'not-in-progress';
    return this.recording.start(callback, source);
  }

  private async pause(ms: number): Promise<void> {
    if (this.hangupRequested || this.redirect) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.interrupt = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.interrupt = null;
  }

  private baseParams(): Record<string, string> {
    return {
      CallSid: this.sid,
      AccountSid: this.req.accountSid,
      From: this.req.from,
      To: this.req.to,
      CallStatus: this.status,
      Direction: this.req.inbound ? 'inbound' : 'outbound-api',
      ApiVersion: '2010-04-01',
    };
  }

  private async post(url: string, params: Record<string, string>): Promise<{ status: number; body: string } | null> {
    try {
      return await postSignedWebhook(this.carrier.authToken, url, params, this.carrier.webhookTimeoutMs);
    } catch (err) {
      this.errors.push(`webhook ${new URL(url).pathname}: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
  }

  private async setStatus(status: string, event: string): Promise<void> {
    this.status = status;
    if (!this.req.statusCallback || !this.req.statusCallbackEvents.includes(event)) return;
    const params: Record<string, string> = { ...this.baseParams(), CallbackSource: 'call-progress-events', SequenceNumber: String(this.seq++) };
    if (event === 'completed') params.CallDuration = String(this.durationSeconds);
    await this.post(this.req.statusCallback, params);
  }

  private async run(): Promise<void> {
    if (this.req.inbound) return this.runIncoming(this.req.inbound.sipHeaders);
    await this.setStatus('initiated', 'initiated');
    await this.setStatus('ringing', 'ringing');
    const ring = Math.min(this.script.ringMs, this.req.timeoutSeconds * 1000);
    if (ring > 0) await sleep(ring);
    if (this.hangupRequested) return this.finish('canceled', 'api');
    if (this.script.answer === 'busy' || this.script.answer === 'failed') return this.finish(this.script.answer, 'carrier');
    if (this.script.answer === 'no-answer') return this.finish('no-answer', 'carrier');
    this.answeredAt = new Date();
    await this.setStatus('in-progress', 'answered');
    this.armScriptedHangup();
    if (this.script.answer === 'machine') this.say('callee', this.script.machineGreeting);
    else if (this.req.amdCallback) await this.post(this.req.amdCallback, { ...this.baseParams(), AnsweredBy: 'human', MachineDetectionDuration: '1200' });
    await this.converse();
    await this.finish('completed', this.endedBy ?? 'callee');
  }

  /**
   * An incoming call, as Twilio runs one: the number's voice URL is fetched while the line rings
   * (with the INVITE's SIP headers); `<Reject>` refuses it unanswered, anything else answers it,
   * and the scripted caller talks until their lines run out or they hang up.
   */
  private async runIncoming(sipHeaders: Record<string, string>): Promise<void> {
    this.status = 'ringing';
    const sip = Object.fromEntries(Object.entries(sipHeaders).map(([name, value]) => [`SipHeader_${name}`, value]));
    const verbs = await this.fetchTwiml(this.req.url, sip);
    if (!verbs) return this.finish('failed', 'carrier');
    if (verbs[0]?.verb === 'Reject') {
      this.rejected = true;
      return this.finish(verbs[0].reason === 'busy' ? 'busy' : 'canceled', 'agent');
    }
    this.answeredAt = new Date();
    this.status = 'in-progress';
    this.armScriptedHangup();
    await this.converse(verbs);
    await this.finish('completed', this.endedBy ?? 'callee');
  }

  /** The script's caller or callee hangs up this long after the answer, whatever is happening. */
  private armScriptedHangup(): void {
    if (this.script.hangUpAfterMs === undefined) return;
    setTimeout(() => {
      this.endedBy ??= 'callee';
      this.requestHangup();
    }, this.script.hangUpAfterMs).unref();
  }

  private say(speaker: SimLine['speaker'], text: string): void {
    this.transcript.push({ speaker, text, at: new Date().toISOString() });
  }

  private async fetchTwiml(url: string, extra: Record<string, string> = {}): Promise<Verb[] | null> {
    const res = await this.post(url, { ...this.baseParams(), ...extra });
    if (!res) return this.applicationError();
    if (res.status < 200 || res.status >= 300) {
      this.errors.push(`webhook ${new URL(url).pathname} answered ${res.status}`);
      return this.applicationError();
    }
    try {
      return readTwiml(res.body);
    } catch (err) {
      this.errors.push(`invalid TwiML: ${err instanceof Error ? err.message : String(err)}`);
      return this.applicationError();
    }
  }

  /** What Twilio does when the application fails: an error message, then the line drops. */
  private applicationError(): null {
    this.endedBy ??= 'carrier';
    return null;
  }

  private async converse(first?: Verb[]): Promise<void> {
    let verbs = first ?? (await this.fetchTwiml(this.req.url));
    for (let fetches = 0; fetches < MAX_TWIML_FETCHES && !this.hangupRequested; fetches++) {
      if (this.redirect) [verbs, this.redirect] = [this.redirect, null];
      if (!verbs) return;
      verbs = await this.execute(verbs);
    }
  }

  /** Runs a TwiML document; returns the next document when a verb moves on to another URL. */
  private async execute(verbs: Verb[], nested = false): Promise<Verb[] | null> {
    for (const v of verbs) {
      if (this.hangupRequested || this.redirect) return null;
      switch (v.verb) {
        case 'Say':
          if (v.text) this.say('agent', v.text);
          break;
        case 'Gather': {
          await this.execute(v.children, true);
          if (this.hangupRequested || this.redirect) return null;
          const reply = await this.callee.listen();
          if (reply === null) this.endedBy = 'callee';
          if (reply === null || this.hangupRequested || this.redirect) return null;
          if (!v.action) return null;
          return this.fetchTwiml(v.action, reply ? { SpeechResult: reply, Confidence: '0.92' } : {});
        }
        case 'Hangup':
          this.endedBy ??= 'agent';
          return null;
        case 'StartRecording':
          // As on Twilio, a call already being recorded goes on with the one recording.
          this.startRecording(v.callback, 'StartCallRecordingTwiML');
          break;
        case 'Redirect':
          return this.fetchTwiml(v.url);
        case 'Dial':
          return v.bridge && this.carrier.trunk ? this.bridge(v.bridge, v.action) : this.dial(v.number, v.action);
        default:
          break;
      }
    }
    // A document that runs out of verbs ends the call, as on Twilio.
    if (!nested) this.endedBy ??= 'agent';
    return null;
  }

  private async dial(number: string, action: string | null): Promise<Verb[] | null> {
    const connected = E164.test(number);
    if (connected) this.transferredTo = number;
    return this.dialEnded(action, connected ? 'completed' : 'failed', connected ? 1 : 0, `CA${randomBytes(16).toString('hex')}`);
  }

  /** The `<Dial>` is over: its action is fetched with how the dialled leg went; without one, the document (and the call) ends. */
  private async dialEnded(action: string | null, status: string, durationSeconds: number, callSid: string): Promise<Verb[] | null> {
    if (!action) {
      this.endedBy ??= 'agent';
      return null;
    }
    return this.fetchTwiml(action, { DialCallStatus: status, DialCallDuration: String(durationSeconds), DialCallSid: callSid });
  }

  /** A `<Dial>` to a leg the simulated trunk plays: both sides talk; its end fetches the action (unless this side hung up). */
  private async bridge(dial: DialBridge, action: string | null): Promise<Verb[] | null> {
    const outcome = await runBridgedLeg(
      this.carrier.trunk!,
      {
        sid: this.sid,
        accountSid: this.req.accountSid,
        from: this.req.from,
        callerScript: this.script,
        speechDelayMs: this.carrier.speechDelayMs,
        hungUp: () => this.hangupRequested,
        pause: (ms) => this.pause(ms),
        post: (url, params) => this.post(url, params),
      },
      dial,
      this.carrier.scriptFor?.(dial.address) ?? this.script,
    );
    if (outcome.status === 'completed') this.transferredTo = dial.address.split('?')[0]!;
    if (this.hangupRequested) return null;
    return this.dialEnded(action, outcome.status, outcome.durationSeconds, outcome.callSid);
  }

  private async finish(status: string, by: NonNullable<SimulatedCall['endedBy']>): Promise<void> {
    this.endedAt = new Date();
    this.endedBy ??= by;
    // Twilio reports every final status (busy, no-answer, failed, canceled) as the `completed` event.
    await this.setStatus(status, 'completed');
    const delivery = this.recording.delivery();
    if (delivery && this.answeredAt) {
      const recording = this.carrier.saveRecording(this, delivery.sid);
      this.recordingSid = recording.sid;
      await this.post(delivery.callback, recordingCompletedForm({ accountSid: this.req.accountSid, callSid: this.sid }, recording, delivery.source));
    }
  }
}
