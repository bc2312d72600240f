import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowBundle } from '@temporalio/worker';
import type { EmbeddedInfrastructure } from '../../src/infra/embedded';

const ROOT = join(__dirname, '..', '..');

/** What a stand-alone worker needs to find the bench's servers. */
export function workerEnv(infra: EmbeddedInfrastructure, simulatorPort: number, modelPort: number): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: infra.temporalAddress,
    MONGODB_URI: infra.mongoUri,
    SIMULATOR_PORT: String(simulatorPort),
    OFFLINE_MODEL_PORT: String(modelPort),
    LOG_LEVEL: 'warn',
  };
}

export interface BenchWorker {
  pid: number;
  /** The worker's main-thread event-loop delay so far (bench/lib/loop-delay.mjs); null before its first second. */
  loopDelay(): LoopDelay | null;
  stop(): Promise<void>;
}

export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  secondsOver1s: number;
}

/**
 * src/main-worker.ts in its own Node process, handed the bundle already built (so it starts in a
 * second or two). Ready when its task-queue poller is up, which the bench sees as the first call
 * being picked up; here it is enough that the process is alive after its imports.
 */
export async function spawnBenchWorker(env: NodeJS.ProcessEnv, bundle: WorkflowBundle, dataDir: string): Promise<BenchWorker> {
  const bundlePath = join(dataDir, 'call-workflows.bundle.js');
  await writeFile(bundlePath, bundle.code);
  // BENCH_WORKER_CPU_PROF=<dir>: the worker writes V8 CPU profiles there (one a thread) when it stops.
  const profile = process.env.BENCH_WORKER_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_WORKER_CPU_PROF}`] : [];
  // Its main thread's event-loop delay, read by loopDelayOf while it runs.
  const loopDelayFile = join(dataDir, 'worker-loop-delay.json');
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', '--import', join(ROOT, 'bench', 'lib', 'loop-delay.mjs'), join(ROOT, 'src', 'main-worker.ts')], {
    cwd: ROOT,
    env: { ...env, WORKFLOW_BUNDLE_PATH: bundlePath, BENCH_LOOP_DELAY_FILE: loopDelayFile },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') process.stderr.write(`bench: worker process exited (${code ?? signal}): ${stderr}\n`);
  });
  if (child.pid === undefined) throw new Error('could not start the worker process');
  return {
    pid: child.pid,
    loopDelay: () => {
      try {
        return JSON.parse(readFileSync(loopDelayFile, 'utf8')) as LoopDelay;
      } catch {
        return null;
      }
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Peak and current resident set of a Linux process, from /proc (VmHWM is the kernel's own high-water mark). */
export function memoryOf(pid: number): { peakRssMb: number; rssMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakRssMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return null;
  }
}
