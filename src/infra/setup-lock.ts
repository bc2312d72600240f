import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_MS = 2_000;

function holderOf(lock: string): number | undefined {
  try {
    const pid = Number(readFileSync(lock, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` while holding the cache's setup lock, so that two setups started at once (two test runs,
 * `npm start` beside `npm test`) never build the same binary twice: the second waits for the first,
 * then finds everything up to date. A lock whose process is gone is taken over.
 */
export async function withSetupLock<T>(cacheDir: string, fn: () => Promise<T>, say: (line: string) => void): Promise<T> {
  mkdirSync(cacheDir, { recursive: true });
  const lock = join(cacheDir, 'setup.lock');
  let told = false;
  for (;;) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = holderOf(lock);
    if (holder === undefined || !isAlive(holder)) {
      rmSync(lock, { force: true });
      continue;
    }
    if (!told) say(`another setup (pid ${holder}) is running; waiting for it to finish…`);
    told = true;
    await sleep(POLL_MS);
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}
