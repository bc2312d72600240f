import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, release, totalmem, availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import type { Config } from '../../src/config';
import { EMBEDDED_MONGO_NAMES, embeddedMongoBinary, ferretdbModuleDir } from '../../src/infra/paths';

const run = promisify(execFile);

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
}

export interface Versions {
  node: string;
  temporalioWorker: string;
  temporalCli: string;
  /** The MongoDB-wire store the run used: its name and version. */
  store: string;
}

async function osName(): Promise<string> {
  // PRETTY_NAME says which distribution; os.release() only gives the kernel.
  const text = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1];
  return `${pretty ?? process.platform} (kernel ${release()}, ${process.arch})`;
}

export async function machineInfo(): Promise<MachineInfo> {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: await osName(),
  };
}

async function temporalCliVersion(binary: string): Promise<string> {
  try {
    return (await run(binary, ['--version'], { timeout: 10_000 })).stdout.trim().replace(/^temporal version /, '');
  } catch (err) {
    return `unavailable (${err instanceof Error ? err.message : String(err)})`;
  }
}

async function buildInfo(uri: string): Promise<Record<string, unknown> | null> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 3_000 });
  try {
    await client.connect();
    return await client.db('admin').command({ buildInfo: 1 });
  } catch {
    return null;
  } finally {
    await client.close();
  }
}

/** FerretDB's own buildInfo when it reports one; the embedded build may not, so fall back to the pinned module. */
async function ferretDbVersion(info: Record<string, unknown> | null): Promise<string> {
  const v = (info?.ferretdb as { version?: string } | undefined)?.version ?? (info?.ferretdbVersion as string | undefined);
  if (v && v !== 'unknown') return `${v} (wire ${String(info?.version)})`;
  const gomod = await readFile(`${ferretdbModuleDir()}/go.mod`, 'utf8').catch(() => '');
  const pinned = /github\.com\/FerretDB\/FerretDB\s+(v\S+)/.exec(gomod)?.[1];
  return pinned ? `${pinned} (pinned in go.mod, embedded SQLite handler)` : 'unknown';
}

/** Which store the stack ran on: the embedded one named by EMBEDDED_MONGO (its build stamp), or MONGODB_URI's server. */
async function storeVersion(config: Config, uri: string): Promise<string> {
  const info = await buildInfo(uri);
  const wire = info?.version ? `wire version ${String(info.version)}` : 'buildInfo unavailable';
  if (config.mongo.uri) return `MONGODB_URI server, ${wire}`;
  const kind = config.mongo.embedded;
  const name = EMBEDDED_MONGO_NAMES[kind];
  if (kind === 'ferretdb') return `${name} ${await ferretDbVersion(info)}`;
  const stamp = await readFile(`${embeddedMongoBinary(kind, config.paths.cacheDir)}.stamp`, 'utf8').catch(() => '');
  return `${name} ${stamp.trim() || 'unknown build'} (${wire})`;
}

export async function versions(temporalBinary: string, config: Config, mongoUri: string): Promise<Versions> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const worker = require('@temporalio/worker/package.json') as { version: string };
  const [temporalCli, store] = await Promise.all([temporalCliVersion(temporalBinary), storeVersion(config, mongoUri)]);
  return { node: process.version, temporalioWorker: worker.version, temporalCli, store };
}

/** The store's short name, for labels: the embedded store's name, or "MongoDB" for MONGODB_URI. */
export function storeName(config: Config): string {
  return config.mongo.uri ? 'MongoDB' : EMBEDDED_MONGO_NAMES[config.mongo.embedded];
}

export function formatMachine(m: MachineInfo, v: Versions): string {
  return [
    `machine   ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}`,
    `versions  node ${v.node}, @temporalio/worker ${v.temporalioWorker}, temporal CLI ${v.temporalCli}, store ${v.store}`,
  ].join('\n');
}

/** This process's limit on open files (sockets included), from /proc; NaN where it cannot be read. */
export async function openFilesLimit(): Promise<number> {
  const limits = await readFile('/proc/self/limits', 'utf8').catch(() => '');
  const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1];
  return soft === 'unlimited' ? Infinity : Number(soft ?? NaN);
}
