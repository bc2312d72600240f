import { ConfigError, loadConfig } from './config';
import { withConcreteApiPort } from './infra/api-port';
import { ensureDefaultOrg } from './default-org';
import { createLogger } from './logger';
import { startApiRole } from './roles';
import { openStores } from './role-stores';
import { defaultEndpoints } from './services';

/** The API alone, against the Temporal and MongoDB that config names (or the embedded ones already running). */
async function main(): Promise<void> {
  const config = await withConcreteApiPort(loadConfig());
  const logger = createLogger(config.logLevel, { role: 'api' });
  const endpoints = defaultEndpoints(config);
  const { db, temporal } = await openStores(config, endpoints);
  // A known key for scripts and first deployments; further organisations and keys come from the admin API.
  if (config.auth.seedApiKey) await ensureDefaultOrg(db, config.paths.dataDir, config.auth.seedApiKey);
  const api = await startApiRole(config, endpoints, { db, temporal, logger, adminApiKey: config.auth.adminApiKey });
  logger.info({ url: api.server.url }, 'api listening');
  const stop = async () => {
    await api.stop();
    await Promise.all([db.close(), temporal.close()]);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : String(err instanceof Error ? err.stack : err)}\n`);
  process.exit(1);
});
