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

export interface ProviderCall {
  providerCallSid: string;
  status: TelephonyStatus;
  durationSeconds: number | null;
}

/** Everything a call needs from a carrier. Twilio is the implementation; the simulator speaks its protocol. */
export interface TelephonyProvider {
  readonly name: string;
  readonly simulated: boolean;
  placeCall(req: PlaceCallRequest): Promise<ProviderCall>;
  hangUp(providerCallSid: string, credentials: CarrierCredentials | null): Promise<void>;
  fetchCall(providerCallSid: string, credentials: CarrierCredentials | null): Promise<ProviderCall>;
  /** Calls placed to `to` since `since`: finds a dial whose answer was lost with a crashed worker. */
  findCallsTo(to: string, since: Date, credentials: CarrierCredentials | null): Promise<ProviderCall[]>;
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
  /** Validates a webhook's signature against the account that placed the call (the server's own when `credentials` is absent). */
  validateWebhook(signature: string | undefined, url: string, params: Record<string, string>, credentials?: CarrierCredentials | null): boolean;
}
