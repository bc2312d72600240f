import twilio from 'twilio';
import { withVendorErrors } from '../errors';
import type { TelephonyStatus } from '../workflow-api/call';
import {
  CarrierRequestError,
  type AvailableNumberQuery,
  type CarrierCredentials,
  type NumberWebhooks,
  type OwnedNumber,
  type PlaceBridgeLegRequest,
  type PlaceCallRequest,
  type ProviderCall,
  type StartRecordingRequest,
  type TelephonyProvider,
} from './provider';
import { RewritingRequestClient } from './carrier-request-client';
import { twilioWebhookUrl } from './webhook-urls';

type TwilioClient = ReturnType<typeof twilio>;

export interface TwilioProviderOptions {
  accountSid: string;
  authToken: string;
  /** Set in simulator mode: the carrier simulator's base URL, which receives the SDK's requests. */
  apiBaseUrl?: string;
}

const RECORDING_FETCH_TIMEOUT_MS = 30_000;

const KNOWN_STATUSES = new Set<TelephonyStatus>([
  'queued',
  'initiated',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'no-answer',
  'failed',
  'canceled',
]);

export function toTelephonyStatus(raw: string): TelephonyStatus {
  return KNOWN_STATUSES.has(raw as TelephonyStatus) ? (raw as TelephonyStatus) : 'failed';
}

/** The SDK's errors (RestException: status, code) become the interface's own. */
async function numberRequest<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { status?: unknown; code?: unknown; message?: unknown };
    throw new CarrierRequestError(
      typeof e.message === 'string' ? e.message : String(err),
      typeof e.status === 'number' ? e.status : undefined,
      typeof e.code === 'number' ? e.code : undefined,
    );
  }
}

const owned = (n: { sid: string; phoneNumber: string; accountSid: string }): OwnedNumber => ({ sid: n.sid, phoneNumber: n.phoneNumber, accountSid: n.accountSid });

export class TwilioProvider implements TelephonyProvider {
  readonly name = 'twilio';
  readonly simulated: boolean;
  private readonly clients = new Map<string, TwilioClient>();
  private readonly httpClient: RewritingRequestClient | undefined;

  constructor(private readonly options: TwilioProviderOptions) {
    this.simulated = Boolean(options.apiBaseUrl);
    this.httpClient = options.apiBaseUrl ? new RewritingRequestClient(options.apiBaseUrl) : undefined;
  }

  private client(credentials: CarrierCredentials | null): TwilioClient {
    const { accountSid, authToken } = credentials ?? this.options;
    // Keyed by SID and token, so an account whose token changed gets a fresh client.
    const key = `${accountSid}:${authToken}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.httpClient ? twilio(accountSid, authToken, { httpClient: this.httpClient }) : twilio(accountSid, authToken);
      this.clients.set(key, client);
    }
    return client;
  }

  async placeCall(req: PlaceCallRequest): Promise<ProviderCall> {
    const url = (hook: Parameters<typeof twilioWebhookUrl>[1]) => twilioWebhookUrl(req.webhookBaseUrl, hook, req.callId);
    const call = await withVendorErrors('TelephonyPlaceCall', () =>
      this.client(req.credentials).calls.create({
        to: req.to,
        from: req.from,
        url: url('voice'),
        method: 'POST',
        statusCallback: url('status'),
        statusCallbackMethod: 'POST',
        // Only the end: each status is a webhook, a workflow signal and a workflow task, so only what
        // nothing else says. `initiated` is this request's answer, `answered` the voice webhook;
        // `ringing` changes nothing a call does (its ring timeout runs from the dial), and a live
        // call not answered yet reads as ringing from its `allocated` status.
        statusCallbackEvent: ['completed'],
        timeout: req.timeoutSeconds,
        record: req.record,
        ...(req.record ? { recordingStatusCallback: url('recording'), recordingStatusCallbackMethod: 'POST' } : {}),
        ...(req.machineDetection
          ? { machineDetection: 'DetectMessageEnd', asyncAmd: 'true', asyncAmdStatusCallback: url('amd') }
          : {}),
      }),
    );
    return { providerCallSid: call.sid, status: toTelephonyStatus(call.status), durationSeconds: null };
  }

  async placeBridgeLeg(req: PlaceBridgeLegRequest): Promise<ProviderCall> {
    const call = await withVendorErrors('TelephonyPlaceCall', () =>
      this.client(req.credentials).calls.create({
        to: req.to,
        from: req.from,
        url: req.answerUrl,
        method: 'POST',
        statusCallback: req.statusUrl,
        statusCallbackMethod: 'POST',
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        timeout: req.timeoutSeconds,
        ...(req.sipAuth ? { sipAuthUsername: req.sipAuth.username, sipAuthPassword: req.sipAuth.password } : {}),
      }),
    );
    return { providerCallSid: call.sid, status: toTelephonyStatus(call.status), durationSeconds: null };
  }

  async hangUp(providerCallSid: string, credentials: CarrierCredentials | null): Promise<void> {
    await withVendorErrors('TelephonyHangUp', () =>
      this.client(credentials).calls(providerCallSid).update({ status: 'completed' }),
    );
  }

  async fetchCall(providerCallSid: string, credentials: CarrierCredentials | null): Promise<ProviderCall> {
    const call = await withVendorErrors('TelephonyFetchCall', () => this.client(credentials).calls(providerCallSid).fetch());
    const duration = call.duration ? Number(call.duration) : null;
    return { providerCallSid: call.sid, status: toTelephonyStatus(call.status), durationSeconds: duration };
  }

  async findCallsTo(to: string, since: Date, credentials: CarrierCredentials | null): Promise<ProviderCall[]> {
    const calls = await withVendorErrors('TelephonyListCalls', () =>
      this.client(credentials).calls.list({ to, startTimeAfter: since, limit: 20 }),
    );
    return calls.map((c) => ({ providerCallSid: c.sid, status: toTelephonyStatus(c.status), durationSeconds: c.duration ? Number(c.duration) : null }));
  }

  async startRecording(req: StartRecordingRequest): Promise<{ recordingSid: string }> {
    const recording = await numberRequest(() =>
      this.client(req.credentials)
        .calls(req.providerCallSid)
        .recordings.create({
          recordingStatusCallback: twilioWebhookUrl(req.webhookBaseUrl, 'recording', req.callId),
          recordingStatusCallbackMethod: 'POST',
          recordingStatusCallbackEvent: ['completed'],
          recordingChannels: 'mono',
        }),
    );
    return { recordingSid: recording.sid };
  }

  async updateTwiml(providerCallSid: string, twiml: string, credentials: CarrierCredentials | null): Promise<void> {
    await withVendorErrors('TelephonyUpdateCall', () => this.client(credentials).calls(providerCallSid).update({ twiml }));
  }

  async fetchRecordingAudio(
    url: string,
    format: 'mp3' | 'wav',
    credentials: CarrierCredentials | null,
  ): Promise<{ contentType: string; body: Buffer }> {
    // Twilio serves a recording's media at its URL plus the extension of the format wanted.
    const target = new URL(`${url.replace(/\.(mp3|wav|json)$/i, '')}.${format}`);
    // The account's credentials go to Twilio only (the simulator's are not secret, and it may be anywhere).
    if (!this.simulated && (target.protocol !== 'https:' || !/(^|\.)twilio\.com$/i.test(target.hostname))) {
      throw new Error(`Refusing to send account credentials to ${target.host}: not a Twilio recording URL.`);
    }
    const { accountSid, authToken } = credentials ?? this.options;
    const res = await fetch(target, {
      headers: { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` },
      signal: AbortSignal.timeout(RECORDING_FETCH_TIMEOUT_MS),
    });
    if (!res.ok) {
      await res.body?.cancel();
      throw Object.assign(new Error(`The carrier answered ${res.status} for recording media.`), { status: res.status });
    }
    const fallback = format === 'mp3' ? 'audio/mpeg' : 'audio/x-wav';
    return { contentType: res.headers.get('content-type') ?? fallback, body: Buffer.from(await res.arrayBuffer()) };
  }

  async searchAvailableNumbers(query: AvailableNumberQuery, credentials: CarrierCredentials | null): Promise<string[]> {
    const found = await numberRequest(() =>
      this.client(credentials)
        .availablePhoneNumbers(query.country)
        .local.list({ ...(query.areaCode ? { areaCode: Number(query.areaCode) } : {}), voiceEnabled: true, limit: query.limit }),
    );
    return found.map((n) => n.phoneNumber);
  }

  async buyNumber(phoneNumber: string, webhooks: NumberWebhooks, credentials: CarrierCredentials | null): Promise<OwnedNumber> {
    const created = await numberRequest(() =>
      this.client(credentials).incomingPhoneNumbers.create({
        phoneNumber,
        voiceUrl: webhooks.voiceUrl,
        voiceMethod: 'POST',
        statusCallback: webhooks.statusCallback,
        statusCallbackMethod: 'POST',
      }),
    );
    return owned(created);
  }

  async listOwnedNumbers(phoneNumber: string | null, credentials: CarrierCredentials | null): Promise<OwnedNumber[]> {
    const found = await numberRequest(() => this.client(credentials).incomingPhoneNumbers.list({ ...(phoneNumber ? { phoneNumber } : {}), limit: 1000 }));
    return found.map(owned);
  }

  async configureNumber(sid: string, webhooks: NumberWebhooks, credentials: CarrierCredentials | null): Promise<void> {
    await numberRequest(() =>
      this.client(credentials)
        .incomingPhoneNumbers(sid)
        .update({ voiceUrl: webhooks.voiceUrl, voiceMethod: 'POST', statusCallback: webhooks.statusCallback, statusCallbackMethod: 'POST' }),
    );
  }

  async releaseNumber(sid: string, credentials: CarrierCredentials | null): Promise<void> {
    await numberRequest(() => this.client(credentials).incomingPhoneNumbers(sid).remove());
  }

  validateWebhook(signature: string | undefined, url: string, params: Record<string, string>, credentials?: CarrierCredentials | null): boolean {
    if (!signature) return false;
    return twilio.validateRequest((credentials ?? this.options).authToken, signature, url, params);
  }
}
