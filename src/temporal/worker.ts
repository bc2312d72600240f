import {
  bundleWorkflowCode,
  DefaultLogger,
  makeTelemetryFilterString,
  NativeConnection,
  Runtime,
  Worker,
  type LogLevel,
  type WorkflowBundle,
} from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import { StickyFirstSlots } from './workflow-slots';

/** Workflow tasks a worker runs at once (the SDK's default), and how many of them may come from the shared queue. */
const WORKFLOW_TASK_SLOTS = 40;
const SHARED_QUEUE_SLOTS = 10;

export const WORKFLOWS_PATH = require.resolve('../../workflows');

/** Bundling takes seconds; build once per process (or once per test run, passed as a code path). */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  const quiet = { log() {}, info() {}, debug() {}, trace() {}, warn: console.warn, error: console.error };
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet });
}

let runtimeInstalled = false;

/** The SDK's own logs at our level; the runtime can be installed once per process, before any worker. */
function installRuntime(level: string): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const map: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR' };
  const sdkLevel = map[level] ?? 'ERROR';
  // The native core logs on its own path; forward it through the same logger so LOG_LEVEL governs both.
  Runtime.install({
    logger: new DefaultLogger(sdkLevel),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: sdkLevel, other: sdkLevel }), forward: {} } },
  });
}

export interface CallWorkerOptions {
  address: string;
  auth: { apiKey: string | undefined; tls: boolean };
  namespace: string;
  deps: ActivityDeps;
  workflowBundle: WorkflowBundle | { codePath: string };
  taskQueue: string;
  maxConcurrentActivityTaskExecutions?: number;
  logLevel: string;
}

export async function createCallWorker(opts: CallWorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  installRuntime(opts.logLevel);
  const connection = await NativeConnection.connect({
    address: opts.address,
    tls: opts.auth.tls,
    ...(opts.auth.apiKey ? { apiKey: opts.auth.apiKey } : {}),
  });
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: opts.workflowBundle,
    activities: createActivities(opts.deps),
    tuner: {
      // The SDK's 40 workflow-task slots, of which at most 10 serve the shared queue at once (new calls' first tasks).
      workflowTaskSlotSupplier: new StickyFirstSlots(WORKFLOW_TASK_SLOTS, SHARED_QUEUE_SLOTS),
      activityTaskSlotSupplier: { type: 'fixed-size', numSlots: opts.maxConcurrentActivityTaskExecutions ?? 200 },
      localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: 100 },
      nexusTaskSlotSupplier: { type: 'fixed-size', numSlots: 100 },
    },
    // The SDK's default. A shorter wait (3 s, tried) hands a dead worker's calls over sooner, but under a
    // burst it also sends live calls' tasks to the back of the shared queue, behind every new call's first
    // task, where a turn can wait past its last hold (docs/operations.md, "Calls given up in a burst").
    stickyQueueScheduleToStartTimeout: '10 seconds',
  });
  return { worker, connection };
}
