import { randomBytes } from 'node:crypto';
import type { DialRequest, RecordingSource } from './dial-request';

/** Twilio's `RecordingSource` for a call dialled with `Record=true`. */
const DIALLED_WITH_RECORD = 'OutboundAPI';

/**
 * A simulated call's one recording: asked for with the dial (`Record`), or started during the call
 * (the REST API's Calls/{sid}/Recordings, or `<Start><Recording>`). It is delivered when the call ends.
 */
export class CallRecording {
  private started: { sid: string; callback: string | null; source: RecordingSource } | null = null;

  constructor(private readonly dial: Pick<DialRequest, 'record' | 'recordingCallback'>) {}

  /** Starts recording now, unless the call is already recorded (Twilio goes on with the one recording). */
  start(callback: string | null, source: RecordingSource): { sid: string; startedAt: Date } | 'already-recording' {
    if (this.started || this.dial.record) return 'already-recording';
    this.started = { sid: `RE${randomBytes(16).toString('hex')}`, callback, source };
    return { sid: this.started.sid, startedAt: new Date() };
  }

  /** Where the finished recording is posted, under which RecordingSid (when one was given at its start) and source; null: nothing to post. */
  delivery(): { callback: string; sid: string | undefined; source: string } | null {
    const callback = this.dial.record ? this.dial.recordingCallback : this.started?.callback;
    if (!(this.dial.record || this.started) || !callback) return null;
    return { callback, sid: this.started?.sid, source: this.started?.source ?? DIALLED_WITH_RECORD };
  }
}

/** The status callback's form for a finished recording, as Twilio posts it. */
export function recordingCompletedForm(
  call: { accountSid: string; callSid: string },
  saved: { sid: string; url: string; durationSeconds: number },
  source: string,
): Record<string, string> {
  return {
    AccountSid: call.accountSid,
    CallSid: call.callSid,
    RecordingSid: saved.sid,
    RecordingUrl: saved.url,
    RecordingStatus: 'completed',
    RecordingDuration: String(saved.durationSeconds),
    RecordingChannels: '1',
    RecordingSource: source,
  };
}
