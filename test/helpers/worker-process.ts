import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Stack } from './stack';

const ROOT = join(__dirname, '..', '..');

/** A worker in its own process (src/main-worker.ts), pointed at the stack's stores, simulator and offline model. */
export function spawnWorker(stack: Stack): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'main-worker.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      MONGODB_DB: stack.config.mongo.db,
      TEMPORAL_TASK_QUEUE: stack.config.temporal.taskQueue,
      SIMULATOR_PORT: String(stack.simulator.port),
      SIMULATOR_AUTH_TOKEN: stack.config.telephony.simulatorAuthToken,
      OFFLINE_MODEL_PORT: String(stack.model.port),
      OUTBOUND_ALLOWLIST: stack.config.outbound.allowList.join(','),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** A worker crash: SIGKILL, wait for the process to be gone, and start a fresh one in its place. */
export async function replaceWorker(stack: Stack, dying: ChildProcess): Promise<ChildProcess> {
  dying.kill('SIGKILL');
  await exited(dying);
  return spawnWorker(stack);
}
