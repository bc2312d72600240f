import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { spawnManaged } from './child-process';
import { EMBEDDED_MONGO_NAMES, type EmbeddedMongoKind } from './paths';
import { pollUntil } from './readiness';

/**
 * The embedded MongoDB-wire store of `npm start` and `npm test`, when MONGODB_URI is not set.
 * - `secantus` (default): SecantusDB's Rust server (crates.io `secantus-mdb`) on WiredTiger, the
 *   storage engine of MongoDB itself, so queries use their indexes.
 * - `ferretdb`: FerretDB v1.24 on SQLite, the former default, kept for machines without a Rust
 *   toolchain. Every query is a scan (docs/operations.md).
 */
export interface EmbeddedMongoOptions {
  kind: EmbeddedMongoKind;
  binary: string;
  /** The store's files go to <dataDir>/secantus or <dataDir>/ferretdb. */
  dataDir: string;
  port: number;
  logDir: string;
  readyTimeoutMs?: number;
  echo?: boolean;
  /** SecantusDB's WiredTiger cache, like `512M` or `2G` (DEFAULT_CACHE_SIZE when not given). */
  cacheSize?: string;
}

export interface EmbeddedMongoServer {
  kind: EmbeddedMongoKind;
  uri: string;
  pid: number;
  stop(): Promise<void>;
}

const host = '127.0.0.1';

/**
 * SecantusDB's WiredTiger cache unless EMBEDDED_MONGO_CACHE_SIZE says otherwise: a development
 * store's. At 100,000 calls, 256 MB, 1 GB and 11.5 GB read alike (docs/operations.md, "The
 * embedded store"); the cache only grows as data is read.
 */
export const DEFAULT_CACHE_SIZE = '256M';

function commandLine(opts: EmbeddedMongoOptions): string[] {
  if (opts.kind === 'ferretdb') {
    return ['-listen-addr', `${host}:${opts.port}`, '-sqlite-dir', join(opts.dataDir, 'ferretdb')];
  }
  // An explicit, empty config file: otherwise the server reads ./secantusd.toml or
  // ~/.secantus/secantusd.toml if one happens to exist.
  const configFile = join(opts.dataDir, 'secantusd.toml');
  mkdirSync(opts.dataDir, { recursive: true });
  writeFileSync(configFile, '# Switchboard passes every setting of its embedded store as a flag.\n');
  return [
    '--config', configFile,
    '--host', host,
    '--port', String(opts.port),
    '--storage-path', join(opts.dataDir, 'secantus'),
    '--log-level', 'WARNING',
    '--cache-size', opts.cacheSize ?? DEFAULT_CACHE_SIZE,
    // Write-ahead log files of 16 MB rather than 128 MB (each one is allocated in full, so that is
    // the size of an empty store).
    '--log-file-max', '16MB',
  ];
}

export async function startEmbeddedMongo(opts: EmbeddedMongoOptions): Promise<EmbeddedMongoServer> {
  const name = EMBEDDED_MONGO_NAMES[opts.kind];
  const child = spawnManaged({
    name: opts.kind,
    command: opts.binary,
    args: commandLine(opts),
    logFile: join(opts.logDir, `${opts.kind}.log`),
    echo: opts.echo,
  });
  // directConnection: SecantusDB presents itself as a one-member replica set; talk to it as given.
  const uri = `mongodb://${host}:${opts.port}/?directConnection=true`;
  try {
    await child.untilReady((signal) =>
      pollUntil(() => ping(uri), {
        timeoutMs: opts.readyTimeoutMs ?? 30_000,
        intervalMs: 100,
        description: `${name} at ${uri} (log: ${child.logFile})`,
        signal,
      }),
    );
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { kind: opts.kind, uri, pid: child.pid, stop: () => child.stop() };
}

async function ping(uri: string): Promise<true> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 1_000, connectTimeoutMS: 1_000 });
  try {
    await client.connect();
    await client.db().admin().ping();
    return true;
  } finally {
    await client.close();
  }
}
