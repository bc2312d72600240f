import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type Config } from '../config';
import { startEmbeddedMongo, type EmbeddedMongoServer } from './mongo-server';
import { EMBEDDED_MONGO_NAMES, embeddedMongoBinary, temporalBinary } from './paths';
import { ExitedBeforeReadyError } from './child-process';
import { getFreePort, isPortFree } from './readiness';
import { startTemporalDevServer, type SearchAttributeTypeName, type TemporalDevServer } from './temporal-dev-server';

export interface EmbeddedOptions {
  /** 'random' picks free ports (tests); 'configured' uses TEMPORAL_PORT etc. */
  ports?: 'configured' | 'random';
  searchAttributes?: Record<string, SearchAttributeTypeName>;
  log?: (msg: string) => void;
  /** Echo the servers' own output (it always goes to <dataDir>/logs). */
  echo?: boolean;
}

export interface EmbeddedInfrastructure {
  temporalAddress: string;
  mongoUri: string;
  temporalUiUrl?: string;
  /** Processes we started, so callers and tests can check they are gone after stop(). */
  pids: number[];
  stop(): Promise<void>;
}

const host = '127.0.0.1';

function requireBinary(path: string, what: string, envVar: string): string {
  if (!existsSync(path)) {
    throw new ConfigError(
      `The ${what} binary is missing (${path}). Run \`npm run setup\` to build it, or set ${envVar} to use an external one.`,
    );
  }
  return path;
}

async function choosePort(configured: number, random: boolean, envVar: string, what: string): Promise<number> {
  if (random) return getFreePort(host);
  // Otherwise a server already listening there would pass our readiness check for us.
  if (!(await isPortFree(host, configured))) {
    // A ConfigError: the entry points print its message alone, without a stack trace.
    throw new ConfigError(
      `Port ${configured} on ${host} (${what}) is already in use: is another Switchboard running? Stop it, or set ${envVar} to another port.`,
    );
  }
  return configured;
}

function elapsed(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

export async function startEmbeddedInfrastructure(
  config: Config,
  opts: EmbeddedOptions = {},
): Promise<EmbeddedInfrastructure> {
  const log = opts.log ?? (() => undefined);
  const random = opts.ports === 'random';
  const dataDir = config.paths.dataDir;
  const logDir = join(dataDir, 'logs');
  const needTemporal = !config.temporal.address;
  const needMongo = !config.mongo.uri;
  // Check both binaries before starting either, so a missing one fails fast and cleanly.
  const temporalBin = needTemporal
    ? requireBinary(temporalBinary(config.paths.cacheDir), 'Temporal CLI', 'TEMPORAL_ADDRESS')
    : '';
  const mongoKind = config.mongo.embedded;
  const mongoName = EMBEDDED_MONGO_NAMES[mongoKind];
  const mongoBin = needMongo
    ? requireBinary(embeddedMongoBinary(mongoKind, config.paths.cacheDir), mongoName, 'MONGODB_URI')
    : '';

  /**
   * Random ports are found free and bound by the server a moment later (the Temporal dev server also
   * picks internal ports of its own), so under parallel tests another process can take one in
   * between. With random ports, a server that dies before it is ready starts again on new ones.
   */
  const onFreshPorts = async <T>(start: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await start();
      } catch (err) {
        if (!random || attempt >= 3 || !(err instanceof ExitedBeforeReadyError)) throw err;
        log(`${err.summary}; starting it again on new ports`);
      }
    }
  };

  const startTemporal = async (): Promise<TemporalDevServer | undefined> => {
    if (!needTemporal) return undefined;
    const port = await choosePort(config.temporal.embeddedPort, random, 'TEMPORAL_PORT', 'Temporal');
    const uiPort =
      config.temporal.uiPort === 0
        ? 0
        : await choosePort(config.temporal.uiPort, random, 'TEMPORAL_UI_PORT', 'Temporal UI');
    const t0 = Date.now();
    log(`starting Temporal dev server on ${host}:${port} (logs in ${logDir})`);
    const server = await startTemporalDevServer({
      binary: temporalBin,
      dataDir,
      port,
      uiPort,
      namespace: config.temporal.namespace,
      searchAttributes: opts.searchAttributes ?? {},
      logDir,
      echo: opts.echo,
      sqliteSynchronous: config.temporal.sqliteSynchronous,
    });
    log(`Temporal ready at ${server.address} in ${elapsed(t0)}${server.uiUrl ? ` (UI ${server.uiUrl})` : ''}`);
    return server;
  };

  const startMongo = async (): Promise<EmbeddedMongoServer | undefined> => {
    if (!needMongo) return undefined;
    const port = await choosePort(config.mongo.embeddedPort, random, 'MONGO_PORT', mongoName);
    const t0 = Date.now();
    log(`starting ${mongoName} on ${host}:${port} (logs in ${logDir})`);
    const server = await startEmbeddedMongo({
      kind: mongoKind,
      binary: mongoBin,
      dataDir,
      port,
      logDir,
      echo: opts.echo,
      cacheSize: config.mongo.embeddedCacheSize,
    });
    log(`${mongoName} ready at ${server.uri} in ${elapsed(t0)}`);
    return server;
  };

  const [temporal, mongo] = await Promise.allSettled([onFreshPorts(startTemporal), onFreshPorts(startMongo)]);
  const started = [temporal, mongo].flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((s) => s.stop()));
  };
  const failures = [temporal, mongo].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    await stop();
    if (failures.length === 1) throw failures[0];
    const message = failures.map((f) => (f instanceof Error ? f.message : String(f))).join('\n');
    // Both ports taken, say: still a configuration problem, still no stack trace.
    if (failures.every((f) => f instanceof ConfigError)) throw new ConfigError(message);
    throw new AggregateError(failures, message);
  }
  const temporalServer = temporal.status === 'fulfilled' ? temporal.value : undefined;
  const mongoServer = mongo.status === 'fulfilled' ? mongo.value : undefined;
  return {
    temporalAddress: temporalServer?.address ?? config.temporal.address ?? '',
    mongoUri: mongoServer?.uri ?? config.mongo.uri ?? '',
    temporalUiUrl: temporalServer?.uiUrl,
    pids: started.map((s) => s.pid),
    stop,
  };
}
