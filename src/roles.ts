import { createApp } from '../api/app';
import type { ApiDeps } from '../api/deps';
import { attachWebChannel } from '../api/web-channel/gateway';
import { createWebVoice } from '../api/web-channel/voice';
import type { Config } from './config';
import { ensureEncryptionKey } from './crypto/encryption-key';
import { createSecretBox } from './crypto/secret-box';
import { createTrunkSecrets } from './trunks/credentials';
import { createWebhookSecretStore } from './crypto/webhook-secrets';
import { createCarrierAccountStore } from './telephony/carrier-accounts';
import { connectDatabase, ensureIndexes, type Database } from './db/database';
import { listen, type RunningServer } from './http-server';
import type { Logger } from './logger';
import { parseAllowList } from './net/allow-list';
import { createOutboundHttp } from './net/outbound-http';
import { ownServices } from './net/own-services';
import { createChatModel, createTelephonyProvider, type Endpoints } from './services';
import { createSpeechModel } from './llm/speech-model';
import { createSpeechRecognizer } from './llm/speech-recognizer';
import { connectTemporal, type TemporalClients } from './temporal/connection';
import { ensureSearchAttributes } from './temporal/search-attributes';
import { createCallWorker } from './temporal/worker';
import type { WorkflowBundle } from '@temporalio/worker';

/** The two roles of a Switchboard process, shared by main-api.ts, main-worker.ts, dev.ts and the tests. */

export async function openStores(config: Config, endpoints: Endpoints): Promise<{ db: Database; temporal: TemporalClients }> {
  const db = await connectDatabase(endpoints.mongoUri, config.mongo.db);
  await ensureIndexes(db);
  const temporal = await connectTemporal(endpoints.temporalAddress, config.temporal.namespace, config.temporal);
  await ensureSearchAttributes(temporal.connection, config.temporal.namespace);
  return { db, temporal };
}

/** OUTBOUND_ALLOWLIST, with the deployment's own services closed whatever it lists. */
function outboundAllowList(config: Config, endpoints: Endpoints) {
  return parseAllowList(config.outbound.allowList, { reserved: ownServices(config, endpoints) });
}

export interface ApiRole {
  server: RunningServer;
  stop(): Promise<void>;
}

export async function startApiRole(
  config: Config,
  endpoints: Endpoints,
  deps: { db: Database; temporal: TemporalClients; logger: Logger; adminApiKey: string | undefined; port?: number },
): Promise<ApiRole> {
  const box = createSecretBox(await ensureEncryptionKey(config));
  const webhookSecrets = createWebhookSecretStore(deps.db, box);
  const carrierAccounts = createCarrierAccountStore(deps.db, box);
  const trunkSecrets = createTrunkSecrets(box);
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

export interface WorkerRole {
  /** Resolves when the worker has shut down; rejects if it crashed. */
  running: Promise<void>;
  stop(): Promise<void>;
}

export async function startWorkerRole(
  config: Config,
  endpoints: Endpoints,
  deps: { db: Database; logger: Logger; workflowBundle: WorkflowBundle | { codePath: string } },
): Promise<WorkerRole> {
  const box = createSecretBox(await ensureEncryptionKey(config));
  const webhookSecrets = createWebhookSecretStore(deps.db, box);
  const carrierAccounts = createCarrierAccountStore(deps.db, box);
  const trunkSecrets = createTrunkSecrets(box);
  const outbound = createOutboundHttp({
    allowList: outboundAllowList(config, endpoints),
    maxResponseBytes: config.outbound.maxResponseBytes,
    userAgent: 'Switchboard/1.0',
  });
  const { worker, connection } = await createCallWorker({
    address: endpoints.temporalAddress,
    auth: config.temporal,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    logLevel: config.logLevel,
    workflowBundle: deps.workflowBundle,
    deps: {
      db: deps.db,
      telephony: createTelephonyProvider(config, endpoints),
      chat: createChatModel(config, endpoints),
      logger: deps.logger,
      pricing: { perMinuteUsd: config.calls.pricePerMinuteUsd },
      outbound,
      webhookSecrets,
      carrierAccounts,
      trunkSecrets,
      webhooks: { timeoutMs: config.outbound.webhookTimeoutMs },
    },
  });
  const running = worker.run().finally(() => connection.close());
  return {
    running,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
