import { createConnection, createServer } from 'node:net';

export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Used in the timeout error: "Timed out after 30s waiting for <description>". */
  description: string;
  /** Stops polling early, e.g. when the process being probed has died. */
  signal?: AbortSignal;
}

/** Thrown from a poll function to give up at once: retrying cannot help. */
export class PollFailure extends Error {
  override name = 'PollFailure';
}

/**
 * Calls fn until it returns something other than undefined/false. A throw counts as
 * "not yet"; the last error is reported on timeout because it usually explains why.
 */
export async function pollUntil<T>(
  fn: () => Promise<T | undefined | false>,
  { timeoutMs, intervalMs = 200, description, signal }: PollOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const result = await fn();
      if (result !== undefined && result !== false) return result;
    } catch (err) {
      if (err instanceof PollFailure) throw err;
      lastError = err;
    }
    signal?.throwIfAborted();
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`Timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${description}${detail}`);
    }
    await sleep(Math.min(intervalMs, remaining), signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function tryConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** timeoutMs is relative to now. Resolves once a TCP connection is accepted. */
export async function waitForTcp(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  await pollUntil(() => tryConnect(host, port), { timeoutMs, description: `TCP ${host}:${port}`, signal });
}

export function getFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

/** A server that died on EADDRINUSE is easy to miss if something else answers on its port. */
export async function isPortFree(host: string, port: number): Promise<boolean> {
  if (await tryConnect(host, port)) return false;
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
