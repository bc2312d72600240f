import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, release, totalmem, availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { ferretdbModuleDir } from '../../src/infra/paths';

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
  ferretdb: string;
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

/** FerretDB's own buildInfo when it reports one; the embedded build may not, so fall back to the pinned module. */
async function ferretDbVersion(uri: string): Promise<string> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 3_000 });
  let reported: string | undefined;
  try {
    await client.connect();
    const info = await client.db('admin').command({ buildInfo: 1 });
    const v = (info.ferretdb as { version?: string } | undefined)?.version ?? (info.ferretdbVersion as string | undefined);
    if (v && v !== 'unknown') reported = `${v} (wire ${String(info.version)})`;
  } catch {
    // Fall through to the pinned version.
  } finally {
    await client.close();
  }
  if (reported) return reported;
  const gomod = await readFile(`${ferretdbModuleDir()}/go.mod`, 'utf8').catch(() => '');
  const pinned = /github\.com\/FerretDB\/FerretDB\s+(v\S+)/.exec(gomod)?.[1];
  return pinned ? `${pinned} (pinned in go.mod, embedded SQLite handler)` : 'unknown';
}

export async function versions(temporalBinary: string, mongoUri: string): Promise<Versions> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const worker = require('@temporalio/worker/package.json') as { version: string };
  const [temporalCli, ferretdb] = await Promise.all([temporalCliVersion(temporalBinary), ferretDbVersion(mongoUri)]);
  return { node: process.version, temporalioWorker: worker.version, temporalCli, ferretdb };
}

export function formatMachine(m: MachineInfo, v: Versions): string {
  return [
    `machine   ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}`,
    `versions  node ${v.node}, @temporalio/worker ${v.temporalioWorker}, temporal CLI ${v.temporalCli}, FerretDB ${v.ferretdb}`,
  ].join('\n');
}
