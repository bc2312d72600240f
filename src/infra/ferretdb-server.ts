import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { spawnManaged } from './child-process';
import { pollUntil } from './readiness';

export interface FerretDbOptions {
  binary: string;
  /** SQLite files go to <dataDir>/ferretdb. */
  dataDir: string;
  port: number;
  logDir: string;
  readyTimeoutMs?: number;
  echo?: boolean;
}

export interface FerretDbServer {
  uri: string;
  pid: number;
  stop(): Promise<void>;
}

const host = '127.0.0.1';

export async function startFerretDb(opts: FerretDbOptions): Promise<FerretDbServer> {
  const child = spawnManaged({
    name: 'ferretdb',
    command: opts.binary,
    args: [
      '-listen-addr',
      `${host}:${opts.port}`,
      '-sqlite-dir',
      join(opts.dataDir, 'ferretdb'),
      // With stdin kept as a pipe, even a SIGKILLed parent takes FerretDB down.
      '-exit-on-stdin-close',
    ],
    stdinPipe: true,
    logFile: join(opts.logDir, 'ferretdb.log'),
    echo: opts.echo,
  });
  const uri = `mongodb://${host}:${opts.port}/`;
  try {
    await child.untilReady((signal) =>
      pollUntil(() => ping(uri), {
        timeoutMs: opts.readyTimeoutMs ?? 30_000,
        intervalMs: 100,
        description: `FerretDB at ${uri} (log: ${child.logFile})`,
        signal,
      }),
    );
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { uri, pid: child.pid, stop: () => child.stop() };
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
