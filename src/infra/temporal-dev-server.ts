import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { spawnManaged } from './child-process';
import { PollFailure, pollUntil } from './readiness';

export type SearchAttributeTypeName = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

export interface TemporalDevServerOptions {
  binary: string;
  /** Holds temporal.sqlite, so workflows survive restarts. */
  dataDir: string;
  port: number;
  /** 0 runs without the Web UI. */
  uiPort: number;
  namespace: string;
  searchAttributes: Record<string, SearchAttributeTypeName>;
  logDir: string;
  readyTimeoutMs?: number;
  echo?: boolean;
  /**
   * How the SQLite file syncs its write-ahead log (default `full`). The file is always in WAL mode:
   * the CLI's default rollback journal syncs several times a commit, which halved the server's
   * throughput (docs/operations.md, "The embedded Temporal server's SQLite file").
   */
  sqliteSynchronous?: 'full' | 'normal';
  /** `--dynamic-config-value key=value` pairs, e.g. lower continue-as-new thresholds for a test. */
  dynamicConfig?: Record<string, string | number | boolean>;
}

export interface TemporalDevServer {
  address: string;
  uiUrl: string | undefined;
  pid: number;
  stop(): Promise<void>;
}

type IndexedValueType = NonNullable<
  Awaited<ReturnType<Connection['operatorService']['listSearchAttributes']>>['customAttributes']
>[string];

// Values of temporal.api.enums.v1.IndexedValueType; spelled out so we need not import
// @temporalio/proto, which is only a transitive dependency.
const indexedValueTypes: Record<SearchAttributeTypeName, number> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};

const host = '127.0.0.1';

export async function startTemporalDevServer(opts: TemporalDevServerOptions): Promise<TemporalDevServer> {
  mkdirSync(opts.dataDir, { recursive: true });
  const args = ['server', 'start-dev', '--ip', host, '--port', String(opts.port)];
  args.push(...(opts.uiPort === 0 ? ['--headless'] : ['--ui-port', String(opts.uiPort)]));
  args.push('--db-filename', join(opts.dataDir, 'temporal.sqlite'));
  args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', `synchronous=${opts.sqliteSynchronous ?? 'full'}`);
  args.push('--namespace', opts.namespace, '--log-level', 'warn');
  for (const [name, type] of Object.entries(opts.searchAttributes)) {
    args.push('--search-attribute', `${name}=${type}`);
  }
  for (const [key, value] of Object.entries(opts.dynamicConfig ?? {})) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  const child = spawnManaged({
    name: 'temporal',
    command: opts.binary,
    args,
    logFile: join(opts.logDir, 'temporal.log'),
    echo: opts.echo,
  });
  const address = `${host}:${opts.port}`;
  try {
    await child.untilReady((signal) =>
      pollUntil(() => probe(address, opts.namespace, opts.searchAttributes), {
        timeoutMs: opts.readyTimeoutMs ?? 60_000,
        intervalMs: 250,
        description: `Temporal dev server at ${address} (log: ${child.logFile})`,
        signal,
      }),
    );
  } catch (err) {
    await child.stop();
    throw err;
  }
  return {
    address,
    uiUrl: opts.uiPort === 0 ? undefined : `http://${host}:${opts.uiPort}`,
    pid: child.pid,
    stop: () => child.stop(),
  };
}

/**
 * The frontend accepts connections before the namespace and its search attributes exist,
 * so a TCP or getSystemInfo check alone would let workers start too early.
 */
async function probe(
  address: string,
  namespace: string,
  wanted: Record<string, SearchAttributeTypeName>,
): Promise<true | undefined> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    await connection.workflowService.getSystemInfo({});
    const { customAttributes = {} } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing: Record<string, IndexedValueType> = {};
    for (const [name, type] of Object.entries(wanted)) {
      const have = customAttributes[name];
      const want = indexedValueTypes[type] as IndexedValueType;
      if (have === undefined || have === null) missing[name] = want;
      else if (have !== want) {
        throw new PollFailure(
          `Search attribute ${name} already exists in namespace ${namespace} with another type (wanted ${type})`,
        );
      }
    }
    if (Object.keys(missing).length === 0) return true;
    // Flags only register attributes when the namespace is first created; an existing
    // database keeps its old set, so add what is missing. The next poll verifies.
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    return undefined;
  } finally {
    await connection.close();
  }
}
