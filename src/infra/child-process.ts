import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';

export interface SpawnOptions {
  /** Short name used in messages and echo prefixes. */
  name: string;
  command: string;
  args: string[];
  /** stdout and stderr are appended here. */
  logFile: string;
  /** true echoes to our stderr with a "[name]" prefix; a function receives each line. */
  echo?: boolean | ((line: string) => void);
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Grace period between SIGTERM and SIGKILL on stop(). */
  stopTimeoutMs?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedChild {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<ExitInfo>;
  hasExited(): boolean;
  /** The last lines of output, for error messages. */
  logTail(lines?: number): string;
  /** Resolves with probe's result, or rejects (with the log tail) if the child exits first. */
  untilReady<T>(probe: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** SIGTERM to the whole process group, SIGKILL after stopTimeoutMs; resolves once exited. */
  stop(): Promise<void>;
}

/** A server that exited before it answered its readiness probe (its log tail is in the message). */
export class ExitedBeforeReadyError extends Error {
  override name = 'ExitedBeforeReadyError';
  constructor(
    /** One line: which server, how it exited, and its panic line if it left one. */
    readonly summary: string,
    logFile: string,
    logTail: string,
  ) {
    super(`${summary}. Last log lines (${logFile}):\n${logTail}`);
  }
}

const running = new Set<ManagedChild>();
let hooksInstalled = false;

/**
 * Servers must not outlive us, even when we are killed with SIGKILL and no handler runs. Linux's
 * PR_SET_PDEATHSIG is out of reach from Node (and per thread, and absent on macOS), and polling our
 * pid from a helper can meet a reused pid. A pipe cannot lie: the kernel closes our end when we die,
 * however we die. So every server starts under this POSIX sh wrapper, with stdin a pipe from us. It
 * forks a watcher that blocks reading that pipe, then execs the server, so the server keeps the pid
 * and process group we spawned (stop(), readiness and RSS figures address the real server). When the
 * read ends (we are gone, or stop() closed the pipe), the watcher sends SIGTERM to the group and
 * SIGKILL after DEATH_GRACE_S. The watcher costs one idle shell (~1 MB) per server. The pid and its
 * group cannot be reused while the watcher, a member of the group, is alive.
 */
const DEATH_GRACE_S = 5;
const SUPERVISE = [
  'exec 3<&0 </dev/null',
  '(',
  '  while read -r _ <&3; do :; done',
  "  trap '' TERM",
  '  kill -s TERM -- -$$ 2>/dev/null || exit 0',
  '  n=0',
  `  while kill -0 $$ 2>/dev/null && [ "$n" -lt ${DEATH_GRACE_S * 10} ]; do sleep 0.1; n=$((n + 1)); done`,
  '  kill -s KILL -- -$$ 2>/dev/null',
  ') >/dev/null 2>&1 &',
  'exec "$@" 3<&-',
].join('\n');

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

export function spawnManaged(opts: SpawnOptions): ManagedChild {
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  log.write(`\n--- ${new Date().toISOString()} ${opts.command} ${opts.args.join(' ')}\n`);
  // A separate process group lets stop() reach grandchildren and keeps a terminal's
  // Ctrl-C from killing servers before the app has drained its own work.
  const child: ChildProcess = spawn('/bin/sh', ['-c', SUPERVISE, opts.name, opts.command, ...opts.args], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    // stdin: the pipe whose end tells the watcher we are gone (see SUPERVISE).
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) {
    // The 'error' event follows asynchronously; an unhandled one would crash us.
    child.once('error', () => undefined);
    log.end();
    throw new Error(`Could not start ${opts.name} (${opts.command})`);
  }
  const pid = child.pid;
  child.stdin?.on('error', () => undefined);
  const tail: string[] = [];
  const echo =
    typeof opts.echo === 'function'
      ? opts.echo
      : opts.echo
        ? (line: string) => process.stderr.write(`[${opts.name}] ${line}\n`)
        : undefined;
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      log.write(`${line}\n`);
      tail.push(line);
      if (tail.length > 200) tail.shift();
      echo?.(line);
    });
  }

  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => {
      tail.push(`spawn error: ${err.message}`);
      exitInfo ??= { code: null, signal: null };
      resolve(exitInfo);
    });
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  }).then((info) => {
    running.delete(managed);
    // Flush before anyone reads the file after an unexpected exit.
    return new Promise<ExitInfo>((resolve) => log.end(() => resolve(info)));
  });

  const logTail = (lines = 30): string => tail.slice(-lines).join('\n');

  let stopping: Promise<void> | undefined;
  const managed: ManagedChild = {
    name: opts.name,
    pid,
    logFile: opts.logFile,
    exited,
    hasExited: () => exitInfo !== undefined,
    logTail,
    async untilReady<T>(probe: (signal: AbortSignal) => Promise<T>): Promise<T> {
      const abort = new AbortController();
      const died = exited.then((info): never => {
        abort.abort();
        const how = info.signal ? `signal ${info.signal}` : `code ${info.code}`;
        // A Go server's panic line may sit above the last lines (its goroutine dump follows it).
        const panic = tail.find((line) => line.startsWith('panic: ') || line.startsWith('fatal error: '));
        throw new ExitedBeforeReadyError(`${opts.name} exited (${how}) before becoming ready${panic ? ` (${panic})` : ''}`, opts.logFile, logTail());
      });
      died.catch(() => undefined);
      try {
        return await Promise.race([probe(abort.signal), died]);
      } finally {
        abort.abort();
      }
    },
    stop(): Promise<void> {
      stopping ??= (async () => {
        if (exitInfo === undefined) {
          killGroup(pid, 'SIGTERM');
          const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), opts.stopTimeoutMs ?? 10_000);
          await exited;
          clearTimeout(timer);
        }
        // The leader is gone; make sure nothing it spawned lingers in its group.
        killGroup(pid, 'SIGKILL');
        child.stdin?.destroy();
        await exited;
      })();
      return stopping;
    },
  };
  running.add(managed);
  installHooks();
  return managed;
}

export function runningChildren(): ManagedChild[] {
  return [...running];
}

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // 'exit' handlers must be synchronous, so there is no time for a graceful stop;
  // SQLite-backed servers survive a kill without losing committed data.
  process.on('exit', () => {
    for (const child of running) killGroup(child.pid, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = (): void => {
      // If the app installed its own handler it owns shutdown (and will call stop());
      // otherwise mimic the default behaviour after stopping the children.
      if (process.listenerCount(signal) > 1) return;
      void stopAllChildren().finally(() => {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      });
    };
    process.on(signal, onSignal);
  }
}
