import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { getFreePort, isPortFree, pollUntil } from '../../src/infra/readiness';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const host = '127.0.0.1';

interface Ports {
  TEMPORAL_PORT: number;
  TEMPORAL_UI_PORT: number;
  MONGO_PORT: number;
  PORT: number;
  SIMULATOR_PORT: number;
  OFFLINE_MODEL_PORT: number;
}

async function freePorts(): Promise<Ports> {
  const ports = new Set<number>();
  while (ports.size < 6) ports.add(await getFreePort(host));
  const [a, b, c, d, e, f] = [...ports] as [number, number, number, number, number, number];
  return { TEMPORAL_PORT: a, TEMPORAL_UI_PORT: b, MONGO_PORT: c, PORT: d, SIMULATOR_PORT: e, OFFLINE_MODEL_PORT: f };
}

/** `npm start`'s process (src/dev.ts), or with `viaNpm` the real `npm start`, on its own data dir and ports. */
function startDev(dataDir: string, ports: Ports, viaNpm = false): { child: ChildProcess; lines: string[] } {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent', SWITCHBOARD_DATA_DIR: dataDir };
  // global-setup points these at the run's shared servers; this test wants embedded ones of its own.
  env.TEMPORAL_ADDRESS = '';
  env.MONGODB_URI = '';
  for (const [name, port] of Object.entries(ports)) env[name] = String(port);
  const [command, args] = viaNpm ? ['npm', ['start']] : [process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'dev.ts')]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => lines.push(line));
  }
  return { child, lines };
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Live processes whose command line mentions `needle` (Linux /proc; zombies have none). */
function processesMentioning(needle: string): number[] {
  if (!existsSync('/proc/self/cmdline')) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

describe('embedded servers and the process that started them', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'sb-parent-death-'));
  });

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exitOf(child);
    }
    child = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('are gone within seconds of a SIGKILL of npm start', async () => {
    const ports = await freePorts();
    const dev = startDev(dataDir, ports);
    child = dev.child;
    const exit = exitOf(dev.child);
    // Both servers print "<name> ready at …" once they answer.
    await pollUntil(
      async () => {
        if (dev.child.exitCode !== null) throw new Error(`npm start exited early:\n${dev.lines.join('\n')}`);
        return dev.lines.filter((line) => / ready at /.test(line)).length >= 2;
      },
      { timeoutMs: 90_000, intervalMs: 100, description: `the embedded servers (output so far:\n${dev.lines.join('\n')})` },
    );
    const serverPids = processesMentioning(dataDir);
    if (existsSync('/proc/self/cmdline')) expect(serverPids.length).toBeGreaterThanOrEqual(2);
    for (const port of [ports.TEMPORAL_PORT, ports.TEMPORAL_UI_PORT, ports.MONGO_PORT]) {
      expect(await isPortFree(host, port)).toBe(false);
    }

    dev.child.kill('SIGKILL');
    expect((await exit).signal).toBe('SIGKILL');

    const started = Date.now();
    await pollUntil(
      async () => {
        for (const port of [ports.TEMPORAL_PORT, ports.TEMPORAL_UI_PORT, ports.MONGO_PORT]) {
          if (!(await isPortFree(host, port))) return false;
        }
        return processesMentioning(dataDir).length === 0;
      },
      { timeoutMs: 15_000, intervalMs: 100, description: 'the servers of a killed npm start to exit' },
    ).catch((err: unknown) => {
      const left = processesMentioning(dataDir);
      // Leave nothing behind for the next test, whatever happened.
      for (const pid of left) process.kill(pid, 'SIGKILL');
      throw new Error(`${(err as Error).message}; still running: ${left.join(', ') || 'none'}`);
    });
    // The watcher escalates to SIGKILL after 5 s; a clean stop is much quicker.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('stop, with their API and worker, within seconds of a kill -9 of the npm process itself', async () => {
    const ports = await freePorts();
    const dev = startDev(dataDir, ports, true);
    child = dev.child;
    const exit = exitOf(dev.child);
    await pollUntil(
      async () => {
        if (dev.child.exitCode !== null) throw new Error(`npm start exited early:\n${dev.lines.join('\n')}`);
        return dev.lines.includes('Switchboard is running.');
      },
      { timeoutMs: 120_000, intervalMs: 100, description: `npm start to be running (output so far:\n${dev.lines.join('\n')})` },
    );
    const used = [ports.PORT, ports.TEMPORAL_PORT, ports.TEMPORAL_UI_PORT, ports.MONGO_PORT];
    // npm cannot pass a SIGKILL on: sh, tsx and node below it are untouched by the signal itself.
    dev.child.kill('SIGKILL');
    expect((await exit).signal).toBe('SIGKILL');
    await pollUntil(
      async () => {
        for (const port of used) if (!(await isPortFree(host, port))) return false;
        return processesMentioning(dataDir).length === 0;
      },
      { timeoutMs: 20_000, intervalMs: 100, description: 'everything npm start had started to exit' },
    ).catch((err: unknown) => {
      const left = processesMentioning(dataDir);
      for (const pid of left) process.kill(pid, 'SIGKILL');
      throw new Error(`${(err as Error).message}; still running: ${left.join(', ') || 'none'}`);
    });
  });

  it('refuses a port already in use with one line, no stack trace', async () => {
    const ports = await freePorts();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(ports.TEMPORAL_PORT, host, resolve));
    try {
      const dev = startDev(dataDir, ports);
      child = dev.child;
      // 'close': exited, and everything it wrote has been read.
      const [code] = (await once(dev.child, 'close')) as [number | null];
      expect(code).toBe(1);
      const errors = dev.lines.filter((line) => line.trim() !== '' && !/^starting |ready at /.test(line));
      expect(errors).toEqual([expect.stringContaining(`Port ${ports.TEMPORAL_PORT} on ${host} (Temporal) is already in use`)]);
      expect(errors[0]).toContain('TEMPORAL_PORT');
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
