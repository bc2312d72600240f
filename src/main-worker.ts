import { ConfigError, loadConfig } from './config';
import { connectDatabase, ensureIndexes } from './db/database';
import { createLogger } from './logger';
import { startWorkerRole } from './worker-role';
import { defaultEndpoints } from './services';
import { bundleWorkflows } from './temporal/worker';

/**
 * A worker alone: runs call workflows and their activities. Start as many as load needs; a killed
 * worker's calls continue on another (or on this one after a restart) from their history.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, { role: 'worker' });
  const endpoints = defaultEndpoints(config);
  const db = await connectDatabase(endpoints.mongoUri, config.mongo.db);
  await ensureIndexes(db);
  const codePath = config.temporal.workflowBundlePath;
  const worker = await startWorkerRole(config, endpoints, {
    db,
    logger,
    workflowBundle: codePath ? { codePath } : await bundleWorkflows(),
  });
  logger.info({ temporal: endpoints.temporalAddress }, 'worker running');
  const stop = () => void worker.stop();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await worker.running;
  await db.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : String(err instanceof Error ? err.stack : err)}\n`);
  process.exit(1);
});
