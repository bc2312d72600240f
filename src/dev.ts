import { loadConfig, ConfigError } from './config';
import { withConcreteApiPort } from './infra/api-port';
import { ensureAdminKey, ensureDefaultOrg } from './default-org';
import { startEmbeddedInfrastructure } from './infra/embedded';
import { watchLauncher } from './infra/launcher-watch';
import { createLogger } from './logger';
import { startApiRole } from './roles';
import { openStores } from './role-stores';
import { startWorkerRole } from './worker-role';
import { defaultEndpoints } from './services';
import { ensureSimulatorAuthToken } from './simulator/carrier/auth-token';
import { startCarrierSimulator } from './simulator/carrier/server';
import { startOfflineModel } from './simulator/offline-model/server';
import { bundleWorkflows } from './temporal/worker';
import { SEARCH_ATTRIBUTE_TYPES } from './workflow-api/search-attributes';

/**
 * `npm start`: the whole system in one terminal on embedded defaults. Temporal and the store run as
 * child processes; the carrier simulator, offline model, worker and API run in this process.
 */
async function main(): Promise<void> {
  const config = await withConcreteApiPort(loadConfig());
  const logger = createLogger(config.logLevel);
  const say = (msg: string) => process.stdout.write(`${msg}\n`);
  const stops: Array<() => Promise<void>> = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\nStopping…');
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => logger.error({ err }, 'stop failed'));
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  // `kill -9` of npm start itself: npm cannot pass it on, so notice that it is gone and stop.
  watchLauncher(() => {
    say('npm start is gone;');
    void shutdown(0);
  });

  const infra = await startEmbeddedInfrastructure(config, { searchAttributes: SEARCH_ATTRIBUTE_TYPES, log: say });
  stops.push(() => infra.stop());
  const endpoints = { ...defaultEndpoints(config), temporalAddress: infra.temporalAddress, mongoUri: infra.mongoUri };

  if (config.telephony.mode === 'simulator') {
    const sim = await startCarrierSimulator({
      accountSid: config.telephony.simulatorAccountSid,
      authToken: ensureSimulatorAuthToken(config),
      port: config.telephony.simulatorPort,
      speechDelayMs: config.telephony.simulatorSpeechDelayMs,
    });
    stops.push(() => sim.close());
    endpoints.simulatorUrl = sim.url;
  }
  if (config.llm.mode === 'offline') {
    const model = await startOfflineModel({ port: config.llm.offlinePort });
    stops.push(() => model.close());
    endpoints.offlineModelUrl = model.url;
  }

  const { db, temporal } = await openStores(config, endpoints);
  stops.push(() => db.close());
  stops.push(() => temporal.close());
  const apiKey = await ensureDefaultOrg(db, config.paths.dataDir, config.auth.seedApiKey);
  const adminApiKey = await ensureAdminKey(config.paths.dataDir, config.auth.adminApiKey);

  say('Bundling workflows…');
  const worker = await startWorkerRole(config, endpoints, { db, logger, workflowBundle: await bundleWorkflows() });
  stops.push(() => worker.stop());
  worker.running.catch((err: unknown) => {
    logger.error({ err }, 'worker stopped');
    void shutdown(1);
  });
  const api = await startApiRole(config, endpoints, { db, temporal, logger, adminApiKey });
  stops.push(() => api.stop());

  say(
    [
      '',
      'Switchboard is running.',
      `  API            ${api.server.url}   (OpenAPI: ${api.server.url}/openapi.json)`,
      `  Temporal UI    ${infra.temporalUiUrl ?? '(external Temporal)'}`,
      `  Temporal       ${endpoints.temporalAddress}`,
      `  MongoDB        ${config.mongo.uri ? '(external)' : endpoints.mongoUri}`,
      `  Telephony      ${config.telephony.mode === 'simulator' ? `SIMULATED carrier at ${endpoints.simulatorUrl}` : 'Twilio'}`,
      `  Model          ${config.llm.mode === 'offline' ? `OFFLINE model at ${endpoints.offlineModelUrl}` : `OpenAI-compatible (${config.llm.model})`}`,
      `  API key        ${apiKey}`,
      `  Admin key      ${adminApiKey}`,
      '',
      'Try:',
      `  curl -s ${api.server.url}/v1/calls -H 'authorization: ${apiKey}' -H 'content-type: application/json' \\`,
      `    -d '{"phone_number":"+12223334444","task":"Ask how their day is going."}'`,
      '',
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
