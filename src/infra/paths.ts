import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const exe = process.platform === 'win32' ? '.exe' : '';

export function binDir(cacheDir: string): string {
  return join(cacheDir, 'bin');
}

export function temporalBinary(cacheDir: string): string {
  return join(binDir(cacheDir), `temporal${exe}`);
}

/** The embedded MongoDB-wire store when MONGODB_URI is not set (EMBEDDED_MONGO; see mongo-server.ts). */
export type EmbeddedMongoKind = 'secantus' | 'ferretdb';

export const EMBEDDED_MONGO_NAMES: Record<EmbeddedMongoKind, string> = { secantus: 'SecantusDB', ferretdb: 'FerretDB' };

export function embeddedMongoBinary(kind: EmbeddedMongoKind, cacheDir: string): string {
  return kind === 'secantus' ? secantusBinary(cacheDir) : ferretdbBinary(cacheDir);
}

/** SecantusDB's MongoDB-wire server (crates.io `secantus-mdb`), the default embedded store. */
export function secantusBinary(cacheDir: string): string {
  return join(binDir(cacheDir), `secantusd-rs${exe}`);
}

export function ferretdbBinary(cacheDir: string): string {
  return join(binDir(cacheDir), `ferretdb-sb${exe}`);
}

/**
 * The Go module that wraps FerretDB. Under tsx this file lives next to it; a tsc
 * build moves this file to dist/src/infra, so fall back to the source tree.
 */
export function ferretdbModuleDir(): string {
  const candidates = [join(__dirname, 'ferretdb'), resolve(__dirname, '../../../src/infra/ferretdb')];
  return candidates.find((dir) => existsSync(join(dir, 'go.mod'))) ?? candidates[0]!;
}
