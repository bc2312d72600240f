import type { Config } from './config';
import type { ChatModel } from './llm/chat-model';
import { OpenAiChatModel } from './llm/openai-chat-model';
import { ensureSimulatorAuthToken } from './simulator/carrier/auth-token';
import type { TelephonyProvider } from './telephony/provider';
import { TwilioProvider } from './telephony/twilio-provider';

/** Where each part lives, from config: the embedded defaults unless real servers are named. */
export interface Endpoints {
  temporalAddress: string;
  mongoUri: string;
  publicBaseUrl: string;
  /** Base URL of the carrier simulator (simulator mode only). */
  simulatorUrl: string;
  /** Base URL of the offline model, ending in /v1 (offline mode only). */
  offlineModelUrl: string;
}

export function defaultEndpoints(config: Config): Endpoints {
  return {
    temporalAddress: config.temporal.address ?? `127.0.0.1:${config.temporal.embeddedPort}`,
    mongoUri: config.mongo.uri ?? `mongodb://127.0.0.1:${config.mongo.embeddedPort}/`,
    publicBaseUrl: config.http.publicBaseUrl ?? `http://127.0.0.1:${config.http.port}`,
    simulatorUrl: `http://127.0.0.1:${config.telephony.simulatorPort}`,
    offlineModelUrl: `http://127.0.0.1:${config.llm.offlinePort}/v1`,
  };
}

/**
 * Twilio through the official SDK: at api.twilio.com with real credentials, at the simulator
 * otherwise, with the simulator's token (configured, or the data folder's generated one).
 */
export function createTelephonyProvider(config: Config, endpoints: Pick<Endpoints, 'simulatorUrl'>): TelephonyProvider {
  const t = config.telephony;
  if (t.mode === 'twilio' && t.accountSid && t.authToken) {
    return new TwilioProvider({ accountSid: t.accountSid, authToken: t.authToken });
  }
  return new TwilioProvider({
    accountSid: t.simulatorAccountSid,
    authToken: ensureSimulatorAuthToken(config),
    apiBaseUrl: endpoints.simulatorUrl,
  });
}

/** The openai SDK: at OpenAI (or OPENAI_BASE_URL) with a key, at the offline model otherwise. */
export function createChatModel(config: Config, endpoints: Pick<Endpoints, 'offlineModelUrl'>): ChatModel {
  const l = config.llm;
  if (l.mode === 'openai') {
    return new OpenAiChatModel({ apiKey: l.apiKey ?? 'none', baseURL: l.baseUrl, defaultModel: l.model, offline: false });
  }
  return new OpenAiChatModel({ apiKey: 'offline', baseURL: endpoints.offlineModelUrl, defaultModel: 'switchboard-offline', offline: true });
}
