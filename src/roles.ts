import { createApp } from '../api/app';
import type { ApiDeps } from '../api/deps';
import { attachWebChannel } from '../api/web-channel/gateway';
import { createWebVoice } from '../api/web-channel/voice';
import type { Config } from './config';
import type { Database } from './db/database';
import { listen, type RunningServer } from './http-server';
import { createSpeechModel } from './llm/speech-model';
import { createSpeechRecognizer } from './llm/speech-recognizer';
import type { Logger } from './logger';
import { createOutboundHttp } from './net/outbound-http';
import { createTelephonyProvider, type Endpoints } from './services';
import type { TemporalClients } from './temporal/connection';
import { openSecrets, outboundAllowList } from './role-stores';

/** The API role: the HTTP API and the browser channel. The composition root: the one place `src/` builds `api/` (worker-role.ts is the other role). */

export interface ApiRole {
  server: RunningServer;
  stop(): Promise<void>;
}

export async function startApiRole(
  config: Config,
  endpoints: Endpoints,
  deps: { db: Database; temporal: TemporalClients; logger: Logger; adminApiKey: string | undefined; port?: number },
): Promise<ApiRole> {
  const { webhookSecrets, carrierAccounts, trunkSecrets } = await openSecrets(config, deps.db);
  const allowList = outboundAllowList(config, endpoints);
  const apiDeps: ApiDeps = {
    db: deps.db,
    webhookSecrets,
    carrierAccounts,
    trunkSecrets,
    temporal: deps.temporal.client,
    taskQueue: config.temporal.taskQueue,
    telephony: createTelephonyProvider(config, endpoints),
    logger: deps.logger,
    publicBaseUrl: endpoints.publicBaseUrl,
    bodyLimitBytes: config.http.bodyLimitBytes,
    adminApiKey: deps.adminApiKey,
    callDefaults: {
      from: config.telephony.defaultFrom,
      maxDurationMinutes: config.calls.maxDurationMinutes,
      ringTimeoutSeconds: config.calls.ringTimeoutSeconds,
    },
    modes: { telephony: config.telephony.mode, llm: config.llm.mode },
    batches: config.batches,
    rateLimits: config.rateLimits,
    outbound: { http: createOutboundHttp({ allowList, maxResponseBytes: config.outbound.maxResponseBytes }), allowList },
    dynamicData: config.dynamicData,
    speech: createSpeechModel(config.llm, endpoints.offlineModelUrl),
    webDemoTokens: config.web.demoTokens,
  };
  const app = createApp(apiDeps);
  const server = await listen(app, config.http.host, deps.port ?? config.http.port);
  // The browser channel (docs/web-agents.md): WebSocket upgrades on /v1/agents/{id}/session.
  // Its voice: the speech model, and speech to text with the same OpenAI settings (the offline stand-ins by default).
  // The offline stand-in sends WAV: its MP3 encoder is plain JavaScript, a few times real time on a busy machine.
  const voice = createWebVoice({
    speech: apiDeps.speech, recognizer: createSpeechRecognizer(config.llm, endpoints.offlineModelUrl), voices: deps.db.collections.voices,
    format: apiDeps.speech?.offline ? 'wav' : 'mp3',
  });
  const web = attachWebChannel(server.http, { api: apiDeps, settings: config.web, voice });
  return {
    server,
    stop: async () => {
      await web.close();
      await server.close();
    },
  };
}

