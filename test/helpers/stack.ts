import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config';
import { createOrg, issueApiKey } from '../../src/auth/api-keys';
import { getFreePort } from '../../src/infra/readiness';
import { createLogger } from '../../src/logger';
import { startApiRole, type ApiRole } from '../../src/roles';
import { openStores } from '../../src/role-stores';
import { startWorkerRole, type WorkerRole } from '../../src/worker-role';
import { defaultEndpoints, type Endpoints } from '../../src/services';
import { ensureSimulatorAuthToken } from '../../src/simulator/carrier/auth-token';
import { startCarrierSimulator, type CarrierSimulator } from '../../src/simulator/carrier/server';
import { startOfflineModel, type OfflineModelHandle } from '../../src/simulator/offline-model/server';
import type { Database } from '../../src/db/database';
import type { TemporalClients } from '../../src/temporal/connection';

export interface Stack {
  config: Config;
  endpoints: Endpoints;
  db: Database;
  temporal: TemporalClients;
  api: ApiRole;
  apiUrl: string;
  worker: WorkerRole | null;
  simulator: CarrierSimulator;
  model: OfflineModelHandle;
  /** An organisation of its own and its key. */
  org: { id: string; apiKey: string };
  newOrg(): Promise<{ id: string; apiKey: string }>;
  stop(): Promise<void>;
}

export const uid = (): string => randomBytes(6).toString('hex');

/** 32 bytes, base64: not a secret, only for test databases. */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

/** Not a secret either: each stack's own simulator, on loopback, signs and is checked with it. */
export const TEST_SIMULATOR_AUTH_TOKEN = 'test-simulator-auth-token';

/**
 * The whole system against the run's shared Temporal and FerretDB: its own database, task queue,
 * carrier simulator and offline model, so test files never see each other's calls.
 */
export async function startStack(
  opts: {
    worker?: boolean;
    env?: Record<string, string>;
    simulatorWebhookTimeoutMs?: number;
    /** Local servers (tools, webhook receivers) that outbound requests may reach: exactly their host and port. */
    allow?: string[];
  } = {},
): Promise<Stack> {
  const id = uid();
  const configFor = (apiPort: number) =>
    loadConfig({
      ...process.env,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      PORT: String(apiPort),
      MONGODB_DB: `test_${id}`,
      TEMPORAL_TASK_QUEUE: `test-${id}`,
      ADMIN_API_KEY: `admin-${id}-key`,
      // Tests seal secrets with a fixed key, and reach only the local receivers they name (host and port).
      ENCRYPTION_KEY: process.env.ENCRYPTION_KEY ?? TEST_ENCRYPTION_KEY,
      OUTBOUND_ALLOWLIST: (opts.allow ?? []).map((u) => new URL(u).host).join(','),
      SIMULATOR_AUTH_TOKEN: TEST_SIMULATOR_AUTH_TOKEN,
      ...opts.env,
    });
  let config = configFor(0);
  const logger = createLogger(config.logLevel);
  const simulator = await startCarrierSimulator({
    accountSid: config.telephony.simulatorAccountSid,
    authToken: ensureSimulatorAuthToken(config),
    port: 0,
    webhookTimeoutMs: opts.simulatorWebhookTimeoutMs,
  });
  const model = await startOfflineModel({ port: 0 });
  const endpointsFor = (c: Config): Endpoints => ({ ...defaultEndpoints(c), simulatorUrl: simulator.url, offlineModelUrl: model.url });
  const { db, temporal } = await openStores(config, endpointsFor(config));
  // The API's own URL is in its config (webhook URLs, the reserved-address list), so its port is chosen
  // before it listens. Other processes' outgoing connections draw from the same ephemeral range, so a
  // port free a moment ago can be taken: choose again. The worker starts after, with the port that held.
  let api: ApiRole | undefined;
  for (let attempt = 1; !api; attempt++) {
    config = configFor(await getFreePort());
    try {
      api = await startApiRole(config, endpointsFor(config), { db, temporal, logger, adminApiKey: config.auth.adminApiKey });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw err;
    }
  }
  const endpoints = endpointsFor(config);
  const worker =
    opts.worker === false
      ? null
      : await startWorkerRole(config, endpoints, { db, logger, workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! } });
  const newOrg = async () => {
    const orgId = await createOrg(db, `org ${uid()}`);
    return { id: orgId, apiKey: await issueApiKey(db, orgId, 'test') };
  };
  const stack: Stack = {
    config, endpoints, db, temporal, api, apiUrl: api.server.url, worker, simulator, model,
    org: await newOrg(),
    newOrg,
    stop: async () => {
      // The API the stack holds now: a test may hand the stack another API process (web-agent-durability).
      await stack.api.stop();
      await simulator.close();
      await worker?.stop();
      await model.close();
      await db.db.dropDatabase();
      await db.close();
      await temporal.close();
    },
  };
  return stack;
}
