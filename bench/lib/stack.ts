import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowBundle } from '@temporalio/worker';
import { createOrg, issueApiKey } from '../../src/auth/api-keys';
import { loadConfig, type Config } from '../../src/config';
import type { Database } from '../../src/db/database';
import { startEmbeddedInfrastructure } from '../../src/infra/embedded';
import { temporalBinary } from '../../src/infra/paths';
import { createLogger } from '../../src/logger';
import { startApiRole } from '../../src/roles';
import { openStores } from '../../src/role-stores';
import { startWorkerRole } from '../../src/worker-role';
import { defaultEndpoints, type Endpoints } from '../../src/services';
import { ensureSimulatorAuthToken } from '../../src/simulator/carrier/auth-token';
import { startCarrierSimulator, type CarrierSimulator } from '../../src/simulator/carrier/server';
import { startOfflineModel } from '../../src/simulator/offline-model/server';
import type { TemporalClients } from '../../src/temporal/connection';
import { bundleWorkflows } from '../../src/temporal/worker';
import { SEARCH_ATTRIBUTE_TYPES } from '../../src/workflow-api/search-attributes';
import { bundleBaseline, startBaselineWorker, type BaselineWorker } from './baseline';
import { storeName } from './machine';
import { startTimingProxy, type TimingProxy } from './timing-proxy';
import { spawnBenchWorker, workerEnv, type LoopDelay } from './worker-process';

export interface BenchStack {
  config: Config;
  endpoints: Endpoints;
  db: Database;
  temporal: TemporalClients;
  simulator: CarrierSimulator;
  proxy: TimingProxy;
  baseline: BaselineWorker;
  apiKey: string;
  /** The API itself, not through the timing proxy (which relays HTTP only): for WebSockets. */
  apiUrl: string;
  temporalBinary: string;
  /**
   * The embedded servers' process ids (and the worker's, when it runs as its own process), for CPU
   * and memory accounting: `temporal`, the store under its own name (`store`), `worker`.
   */
  pids: Record<string, number>;
  /** The worker process's main-thread event-loop delay so far; null without a worker process. */
  workerLoopDelay(): LoopDelay | null;
  /** The store's name: SecantusDB, or FerretDB with EMBEDDED_MONGO=ferretdb. */
  store: string;
  /** Stops everything started, newest first; safe to call more than once. */
  stop(): Promise<void>;
}

/** Bounds each stop step, so one stuck component cannot keep the bench (and its children) alive. */
async function bounded(name: string, fn: () => Promise<unknown>, ms = 20_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      process.stderr.write(`bench: stopping ${name} took over ${ms} ms; moving on\n`);
      resolve();
    }, ms);
  });
  const started = Date.now();
  await Promise.race([fn().catch((err: unknown) => process.stderr.write(`bench: stopping ${name}: ${String(err)}\n`)), timeout]);
  clearTimeout(timer);
  const took = Date.now() - started;
  if (took > 2_000 && took < ms) process.stderr.write(`bench: stopping ${name} took ${(took / 1000).toFixed(1)} s\n`);
}

export interface BenchStackOptions {
  /**
   * Run the call worker as its own process (src/main-worker.ts), so its memory can be measured
   * apart from the API, the simulator and the load generator; its pid is `pids.worker`.
   */
  workerProcess?: boolean;
  /** Extra environment for the stack's config (and the worker process), e.g. CALL_MAX_DURATION_MINUTES. */
  env?: Record<string, string>;
}

export async function startBenchStack(log: (msg: string) => void, opts: BenchStackOptions = {}): Promise<BenchStack> {
  const stops: Array<[string, () => Promise<unknown>]> = [];
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      for (const [name, fn] of stops.reverse()) await bounded(name, fn);
    })();
    return stopped;
  };
  try {
    const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-'));
    stops.push(['data dir', () => rm(dataDir, { recursive: true, force: true })]);
    // The proxy comes first: its URL is the PUBLIC_BASE_URL the workflow hands to the carrier.
    const proxy = await startTimingProxy();
    stops.push(['proxy', () => proxy.close()]);
    const env = {
      ...process.env,
      // Offline model and simulated carrier whatever this shell has configured.
      OPENAI_API_KEY: '', OPENAI_BASE_URL: '', TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '',
      TEMPORAL_ADDRESS: '', MONGODB_URI: '', WORKFLOW_BUNDLE_PATH: '',
      LOG_LEVEL: 'silent', SWITCHBOARD_DATA_DIR: dataDir, PUBLIC_BASE_URL: proxy.url,
      MONGODB_DB: 'bench', TEMPORAL_TASK_QUEUE: 'bench-calls', TEMPORAL_UI_PORT: '0',
      // A benchmark measures throughput, not the per-organisation limits it would otherwise hit at once.
      RATE_LIMIT_CALLS_PER_MINUTE: '0', RATE_LIMIT_REQUESTS_PER_MINUTE: '0',
      ...opts.env,
    };
    const config = loadConfig(env);
    const logger = createLogger(config.logLevel);

    const store = storeName(config);
    log(`starting Temporal dev server + ${store}, bundling workflows…`);
    const infraP = startEmbeddedInfrastructure(config, { ports: 'random', searchAttributes: SEARCH_ATTRIBUTE_TYPES });
    const bundlesP = Promise.all([bundleWorkflows(), bundleBaseline()]);
    const [infraR, bundlesR] = await Promise.allSettled([infraP, bundlesP]);
    if (infraR.status === 'fulfilled') stops.push([`Temporal + ${store}`, () => infraR.value.stop()]);
    if (infraR.status === 'rejected') throw infraR.reason;
    if (bundlesR.status === 'rejected') throw bundlesR.reason;
    const infra = infraR.value;
    const [callBundle, baselineBundle]: [WorkflowBundle, WorkflowBundle] = bundlesR.value;

    const simulator = await startCarrierSimulator({
      accountSid: config.telephony.simulatorAccountSid,
      authToken: ensureSimulatorAuthToken(config),
      port: 0,
    });
    stops.push(['carrier simulator', () => simulator.close()]);
    const model = await startOfflineModel({ port: 0 });
    stops.push(['offline model', () => model.close()]);
    const endpoints: Endpoints = {
      ...defaultEndpoints(config),
      temporalAddress: infra.temporalAddress,
      mongoUri: infra.mongoUri,
      simulatorUrl: simulator.url,
      offlineModelUrl: model.url,
    };
    const { db, temporal } = await openStores(config, endpoints);
    stops.push(['temporal client', () => temporal.close()], ['database client', () => db.close()]);

    // Started in this order by startEmbeddedInfrastructure: Temporal, then the store.
    const pids: Record<string, number> = { temporal: infra.pids[0]!, [store]: infra.pids[1]! };
    let workerLoopDelay = (): LoopDelay | null => null;
    if (opts.workerProcess) {
      const worker = await spawnBenchWorker({ ...env, ...workerEnv(infra, simulator.port, model.port) }, callBundle, dataDir);
      stops.push(['call worker process', () => worker.stop()]);
      pids.worker = worker.pid;
      workerLoopDelay = () => worker.loopDelay();
    } else {
      // The call worker first: it installs the SDK Runtime, which must precede any other Worker.
      const worker = await startWorkerRole(config, endpoints, { db, logger, workflowBundle: callBundle });
      worker.running.catch((err: unknown) => process.stderr.write(`bench: call worker stopped: ${String(err)}\n`));
      stops.push(['call worker', () => worker.stop()]);
    }
    const baseline = await startBaselineWorker(infra.temporalAddress, config.temporal.namespace, baselineBundle);
    stops.push(['baseline worker', () => baseline.stop()]);

    const api = await startApiRole(config, endpoints, { db, temporal, logger, adminApiKey: undefined, port: 0 });
    // The proxy first: closing it drops the connections that would keep the API's close() waiting.
    stops.push(['api', async () => {
      await proxy.close();
      await api.stop();
    }]);
    proxy.setTarget(api.server.port);

    const orgId = await createOrg(db, 'bench');
    const apiKey = await issueApiKey(db, orgId, 'bench');
    return {
      config, endpoints, db, temporal, simulator, proxy, baseline, apiKey, apiUrl: api.server.url,
      temporalBinary: temporalBinary(config.paths.cacheDir),
      pids,
      workerLoopDelay,
      store,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
