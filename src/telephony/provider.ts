import type { SipAuth } from '../trunks/credentials';
import type { TelephonyStatus } from '../workflow-api/call';

/** Per-request carrier credentials (Bland's `encrypted_key`, decrypted by the caller). */
export interface CarrierCredentials {
  accountSid: string;
  authToken: string;
}

export interface PlaceCallRequest {
  callId: string;
  to: string;
  from: string;
  webhookBaseUrl: string;
  timeoutSeconds: number;
  record: boolean;
  machineDetection: boolean;
  credentials: CarrierCredentials | null;
}

/** One leg of a bridged session (POST /sessions): dialled by REST; its answer fetches `answerUrl`, its statuses go to `statusUrl`. */
export interface PlaceBridgeLegRequest {
  /** An E.164 number, or a SIP URI with its headers. */
  to: string;
  from: string;
  answerUrl: string;
  statusUrl: string;
  timeoutSeconds: number;
  credentials: CarrierCredentials | null;
  /** SIP digest credentials for a SIP address (Twilio: SipAuthUsername / SipAuthPassword). */
  sipAuth?: SipAuth | null;
}

export interface ProviderCall {
  providerCallSid: string;
  status: TelephonyStatus;
  durationSeconds: number | null;
}

/** Records a live call from now on (an incoming leg: nothing dialled it with `record`). */
export interface StartRecordingRequest {
  callId: string;
  providerCallSid: string;
  /** The recording's completed callback goes to this base's recording webhook, with the call's `call_id`. */
  webhookBaseUrl: string;
  credentials: CarrierCredentials | null;
}

/** Which numbers to offer for purchase: a country (ISO 3166 alpha-2), an area code, digits to contain. */
export interface AvailableNumberQuery {
  country: string;
  areaCode: string | null;
  limit: number;
}

/** Where the carrier sends a number's incoming calls and their status changes. */
export interface NumberWebhooks {
  voiceUrl: string;
  statusCallback: string;
}

/** A number held by a carrier account. */
export interface OwnedNumber {
  /** The carrier's id of the number (Twilio: PN…). */
  sid: string;
  phoneNumber: string;
  accountSid: string;
}

/**
 * A number operation the carrier refused or failed: `status` is the carrier's HTTP status (absent
 * when it could not be reached), `code` its own error code. Vendor-neutral, so callers classify it
 * without knowing the SDK.
 */
export class CarrierRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly code: number | undefined,
  ) {
    super(message);
    this.name = 'CarrierRequestError';
  }
}

/** Everything a call needs from a carrier. Twilio is the implementation; the simulator speaks its protocol. */
export interface TelephonyProvider {
  readonly name: string;
  readonly simulated: boolean;
  placeCall(req: PlaceCallRequest): Promise<ProviderCall>;
  /** Dials a bridged session's first leg (src/sessions); the rest is TwiML the answer webhook returns. */
  placeBridgeLeg(req: PlaceBridgeLegRequest): Promise<ProviderCall>;
  hangUp(providerCallSid: string, credentials: CarrierCredentials | null): Promise<void>;
  fetchCall(providerCallSid: string, credentials: CarrierCredentials | null): Promise<ProviderCall>;
  /** Calls placed to `to` since `since`: finds a dial whose answer was lost with a crashed worker. */
  findCallsTo(to: string, since: Date, credentials: CarrierCredentials | null): Promise<ProviderCall[]>;
  /**
   * Starts recording a live call (Twilio: a Call Recording); the recording-completed callback reaches
   * the recording webhook as an outbound call's does. A call not (or no longer) in progress is a
   * CarrierRequestError (Twilio: code 21220).
   */
  startRecording(req: StartRecordingRequest): Promise<{ recordingSid: string }>;
  /** Replaces what a live call is doing with new TwiML (voicemail message, transfer). */
  updateTwiml(providerCallSid: string, twiml: string, credentials: CarrierCredentials | null): Promise<void>;
  /**
   * Downloads a call recording (a RecordingUrl from the recording callback) as MP3 or WAV, with the
   * account's credentials. Errors carry the carrier's HTTP `status` when it answered.
   */
  fetchRecordingAudio(
    url: string,
    format: 'mp3' | 'wav',
    credentials: CarrierCredentials | null,
  ): Promise<{ contentType: string; body: Buffer }>;
  /** Numbers the carrier offers for purchase (E.164), best first; empty when none match. */
  searchAvailableNumbers(query: AvailableNumberQuery, credentials: CarrierCredentials | null): Promise<string[]>;
  /** Buys `phoneNumber` on the account, its calls and statuses sent to `webhooks`. */
  buyNumber(phoneNumber: string, webhooks: NumberWebhooks, credentials: CarrierCredentials | null): Promise<OwnedNumber>;
  /** The account's numbers, or only `phoneNumber` among them (empty when the account does not hold it). */
  listOwnedNumbers(phoneNumber: string | null, credentials: CarrierCredentials | null): Promise<OwnedNumber[]>;
  /** Points a number the account holds at `webhooks`. */
  configureNumber(sid: string, webhooks: NumberWebhooks, credentials: CarrierCredentials | null): Promise<void>;
  /** Gives a number back to the carrier. */
  releaseNumber(sid: string, credentials: CarrierCredentials | null): Promise<void>;
  /** Validates a webhook's signature against the account that placed the call (the server's own when `credentials` is absent). */
  validateWebhook(signature: string | undefined, url: string, params: Record<string, string>, credentials?: CarrierCredentials | null): boolean;
}
