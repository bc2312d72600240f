import { ApplicationFailure, WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { WebSocket, RawData } from 'ws';
import type { Logger } from '../../src/logger';
import {
  WEB_CALL_ENDED,
  WEB_STALE_CONNECTION,
  WEB_TURN_FAILED,
  webConnectUpdate,
  webDisconnectedSignal,
  type WebEnding,
  webEndSignal,
  type WebLine,
  webTurnUpdate,
  webWatchUpdate,
} from '../../src/workflow-api/web-call';
import { CLOSE, type ErrorCode, frameRateLimiter, parseClientFrame, type ServerFrame, WEB_LIMITS } from './frames';

/** Voice as the gateway uses it (api/web-channel/voice.ts implements it). */
export interface GatewayVoice {
  readonly enabled: boolean;
  transcribe(pcm: Buffer, sampleRate: number): Promise<string>;
  speak(text: string, voice: string | null, orgId?: string): Promise<{ format: 'mp3' | 'wav'; audio: Buffer }>;
}

export interface JoinedCall {
  callId: string;
  orgId: string;
  agentId: string;
  agentVoice: string | null;
  resumeToken: string;
  connection: number;
  /** The last transcript line the browser has (a resume's `last_seq`; -1 on a new session). */
  afterSeq: number;
  handle: WorkflowHandle;
}

/** Frames held while the call is joined (audio included); more is a flood. */
const MAX_JOIN_FRAMES = 64;

/** Thrown into the close path: the socket closes with this code. */
class Close extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One browser socket joined to a web call: it relays the visitor's words to the call workflow as
 * updates and the agent's words back as frames, and never does the call's work itself. Frames are
 * bounded (size, rate, one turn at a time); a bad one is answered with an error frame or a close.
 */
export class WebConnection {
  private ended = false;
  private turns = 0;
  private turn: Promise<void> | null = null;
  private audio: { sampleRate: number; chunks: Buffer[]; bytes: number; discard: boolean } | null = null;
  private readonly admit = frameRateLimiter();

  constructor(
    private readonly ws: WebSocket,
    private readonly call: JoinedCall,
    private readonly voice: GatewayVoice | undefined,
    private readonly logger: Logger,
  ) {}

  /** Frames the browser sent before the call was ready are handled once it is, in order. */
  async run(early: Array<{ data: RawData; isBinary: boolean }>): Promise<void> {
    const { call } = this;
    this.ws.on('close', () => this.onClose());
    // Frames that arrive while the call is being joined wait too (the browser may send as soon as it has the session frame).
    const waiting = [...early];
    let joinedYet = false;
    this.ws.on('message', (data, isBinary) => {
      if (joinedYet) return this.onFrame(data, isBinary);
      if (waiting.length >= MAX_JOIN_FRAMES) return this.close(CLOSE.flooding, 'Too many frames before the session was joined.');
      waiting.push({ data, isBinary });
    });
    this.send({ type: 'session', call_id: call.callId, agent_id: call.agentId, resume_token: call.resumeToken, voice: this.voice?.enabled ?? false });
    let joined;
    try {
      joined = await call.handle.executeUpdate(webConnectUpdate, { args: [{ connection: call.connection, afterSeq: call.afterSeq }], updateId: `connect-${call.connection}` });
    } catch (err) {
      if (isTyped(err, WEB_CALL_ENDED) || isTyped(err, WEB_STALE_CONNECTION) || err instanceof WorkflowNotFoundError) {
        return this.close(CLOSE.resumeRefused, 'This session cannot be resumed (ended, or the grace period is over).');
      }
      this.logger.error({ err, callId: call.callId }, 'web call connect failed');
      return this.close(CLOSE.serverError, 'The session could not be joined.');
    }
    this.sendLines(joined.lines);
    if (joined.ended) return this.finish(joined.ended);
    void this.watch();
    joinedYet = true;
    for (const f of waiting) this.onFrame(f.data, f.isBinary);
  }

  private async watch(): Promise<void> {
    try {
      const out = await this.call.handle.executeUpdate(webWatchUpdate, { args: [{ connection: this.call.connection }], updateId: `watch-${this.call.connection}` });
      if (out.ended) return await this.finish(out.ended);
      this.close(CLOSE.normal, 'This session continues on another connection.');
    } catch (err) {
      if (this.ws.readyState !== this.ws.OPEN) return;
      this.logger.error({ err, callId: this.call.callId }, 'web call watch failed');
      this.close(CLOSE.serverError, 'The session was lost.');
    }
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.ended) return;
    // Text frames are rate-limited; audio is bounded by the utterance's length instead.
    if (!isBinary && !this.admit()) return this.close(CLOSE.flooding, 'Too many frames.');
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    try {
      if (isBinary) return this.onAudio(buf);
      if (buf.length > WEB_LIMITS.maxTextFrameBytes) throw new Close(CLOSE.tooBig, `A text frame is at most ${WEB_LIMITS.maxTextFrameBytes} bytes.`);
      const parsed = parseClientFrame(buf.toString('utf8'));
      if (!parsed.ok) return this.error('bad_frame', parsed.message);
      const frame = parsed.frame;
      switch (frame.type) {
        case 'ping':
          return this.send({ type: 'pong' });
        case 'end':
          void this.call.handle.signal(webEndSignal).catch((err: unknown) => this.logger.warn({ err, callId: this.call.callId }, 'web end signal failed'));
          return;
        case 'message':
          return this.startTurn(frame.text, frame.speak === true);
        case 'audio_start':
          if (this.audio) return this.error('bad_frame', 'audio_start while an utterance is open; send audio_end first.');
          this.audio = { sampleRate: frame.sample_rate, chunks: [], bytes: 0, discard: !this.voice?.enabled };
          if (!this.voice?.enabled) this.error('voice_unavailable', 'Voice is not available on this server; send text messages.');
          return;
        case 'audio_end':
          return this.endUtterance();
      }
    } catch (err) {
      if (err instanceof Close) return this.close(err.code, err.message);
      // A socket's event handler must not throw: the process would go down with it.
      this.logger.error({ err, callId: this.call.callId }, 'web frame failed');
      this.close(CLOSE.serverError, 'Server error.');
    }
  }

  private onAudio(buf: Buffer): void {
    const a = this.audio;
    if (!a) throw new Close(CLOSE.unsupported, 'Binary frames are audio, only between audio_start and audio_end.');
    if (a.discard) return;
    a.bytes += buf.length;
    if (a.bytes > a.sampleRate * 2 * WEB_LIMITS.maxUtteranceSeconds) throw new Close(CLOSE.tooBig, `An utterance is at most ${WEB_LIMITS.maxUtteranceSeconds} s of audio.`);
    a.chunks.push(buf);
  }

  private endUtterance(): void {
    const a = this.audio;
    this.audio = null;
    if (!a) return this.error('bad_frame', 'audio_end without audio_start.');
    if (a.discard || !this.voice) return;
    if (this.turn) return this.error('busy', 'The agent is still answering; wait for its reply.');
    const voice = this.voice;
    this.turn = (async () => {
      let text: string;
      try {
        text = (await voice.transcribe(Buffer.concat(a.chunks), a.sampleRate)).trim();
      } catch (err) {
        this.logger.warn({ err, callId: this.call.callId }, 'web transcription failed');
        return this.error('transcription_failed', err instanceof Error ? err.message.slice(0, 300) : 'The audio could not be transcribed.');
      }
      if (!text) return this.error('transcription_failed', 'Nothing was recognised in the audio.');
      await this.runTurn(text, true);
    })()
      .catch((err: unknown) => this.turnCrashed(err))
      .finally(() => (this.turn = null));
  }

  private startTurn(text: string, speak: boolean): void {
    if (this.turn) return this.error('busy', 'The agent is still answering; wait for its reply.');
    this.turn = this.runTurn(text, speak)
      .catch((err: unknown) => this.turnCrashed(err))
      .finally(() => (this.turn = null));
  }

  /** A turn's relay failed unexpectedly (not the turn itself: those are error frames): say so, keep the process up. */
  private turnCrashed(err: unknown): void {
    this.logger.error({ err, callId: this.call.callId }, 'web turn relay failed');
    this.error('turn_failed', 'The agent could not answer; say it again.');
  }

  /** One turn: the update, then the transcript lines and the reply (and its audio when asked). */
  private async runTurn(text: string, speak: boolean): Promise<void> {
    this.turns += 1;
    let reply;
    try {
      reply = await this.call.handle.executeUpdate(webTurnUpdate, { args: [{ text }], updateId: `turn-${this.call.connection}-${this.turns}` });
    } catch (err) {
      if (isTyped(err, WEB_CALL_ENDED) || err instanceof WorkflowNotFoundError) return; // The watch says how it ended.
      if (isTyped(err, WEB_TURN_FAILED)) return this.error('turn_failed', 'The agent could not answer; say it again.');
      if (err instanceof WorkflowUpdateFailedError) return this.error('bad_frame', err.cause?.message ?? 'The message was refused.');
      this.logger.error({ err, callId: this.call.callId }, 'web turn failed');
      return this.error('turn_failed', 'The agent could not answer; say it again.');
    }
    this.sendLines(reply.lines);
    const said = reply.say.join(' ');
    this.send({ type: 'reply', text: said, action: reply.action, node: reply.node });
    if (speak && said && this.voice?.enabled) await this.sendAudio(said, reply.lines.at(-1)?.seq ?? 0);
  }

  private async sendAudio(text: string, seq: number): Promise<void> {
    try {
      const { format, audio } = await this.voice!.speak(text, this.call.agentVoice, this.call.orgId);
      this.send({ type: 'audio', format, data: audio.toString('base64'), seq });
    } catch (err) {
      this.logger.warn({ err, callId: this.call.callId }, 'web speech failed');
      this.error('voice_unavailable', 'The reply could not be spoken.');
    }
  }

  private sendLines(lines: WebLine[]): void {
    for (const l of lines) this.send({ type: 'transcript', role: l.role, text: l.text, seq: l.seq });
  }

  /** The call is over: the last reply first, then `ended`, then a normal close. */
  private async finish(ending: WebEnding): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.turn;
    this.send({ type: 'ended', call_ended_by: ending.callEndedBy, reason: ending.reason });
    this.close(CLOSE.normal, 'The call has ended.');
  }

  /** The socket is gone without the call having ended: the workflow's grace period starts. */
  private onClose(): void {
    if (this.ended) return;
    this.ended = true;
    this.call.handle
      .signal(webDisconnectedSignal, { connection: this.call.connection })
      .catch((err: unknown) => {
        if (!(err instanceof WorkflowNotFoundError)) this.logger.warn({ err, callId: this.call.callId }, 'web disconnect signal failed');
      });
  }

  private error(code: ErrorCode, message: string): void {
    this.send({ type: 'error', code, message });
  }

  private send(frame: ServerFrame): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(frame));
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason.slice(0, 120));
  }
}

function isTyped(err: unknown, type: string): boolean {
  return err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === type;
}
