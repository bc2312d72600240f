import type { CalleeScript } from './callee-script';
import type { SimulatedCall } from './simulated-call';
import type { SipTrunk } from './sip-trunk';

/** What a simulated call is asked to do: a REST dial, or an incoming call. */
export interface DialRequest {
  accountSid: string;
  to: string;
  from: string;
  url: string;
  statusCallback: string | null;
  statusCallbackEvents: string[];
  timeoutSeconds: number;
  /** Async answering-machine detection: where to post AnsweredBy. */
  amdCallback: string | null;
  record: boolean;
  recordingCallback: string | null;
  /** An incoming call (placed by the simulator's caller to a number it handed out); absent = a dialled call. */
  inbound?: {
    /** The INVITE's SIP headers, sent on the voice webhook as `SipHeader_<name>`. */
    sipHeaders: Record<string, string>;
  };
}

export interface SimLine {
  speaker: 'agent' | 'callee';
  text: string;
  at: string;
}

/** What the simulated call needs from the simulator around it. */
export interface CarrierContext {
  authToken: string;
  speechDelayMs: number;
  webhookTimeoutMs: number;
  /** Stores the call's recording (under `sid` when the REST API already gave it one) and returns its RecordingSid and RecordingUrl. */
  saveRecording(call: SimulatedCall, sid?: string): { sid: string; url: string; durationSeconds: number };
  /** The simulated SIP trunk, which plays the far leg of a `<Dial><Sip>` bridge; absent: bridges are plain dials. */
  trunk?: SipTrunk;
  /** The script of whoever answers at an address (a number, or a SIP URI's user part). */
  scriptFor?(address: string): CalleeScript;
}

/** Twilio's `RecordingSource` for a recording started during the call. */
export type RecordingSource = 'StartCallRecordingAPI' | 'StartCallRecordingTwiML';
