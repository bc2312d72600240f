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
  /** Validates a webhook's signature against the account that placed the call. */
  validateWebhook(signature: string | undefined, url: string, params: Record<string, string>): boolean;
}
