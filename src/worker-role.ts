import type { WorkflowBundle } from '@temporalio/worker';
import type { Config } from './config';
import type { Database } from './db/database';
import type { Logger } from './logger';
import { createOutboundHttp } from './net/outbound-http';
import { createChatModel, createTelephonyProvider, type Endpoints } from './services';
import { createCallWorker } from './temporal/worker';
import { openSecrets, outboundAllowList } from './role-stores';

/** The worker role: call workflows and their activities. It loads nothing of `api/`. */

export interface WorkerRole {
  /** Resolves when the worker has shut down; rejects if it crashed. */
  running: Promise<void>;
  stop(): Promise<void>;
}

export async function startWorkerRole(
  config: Config,
  endpoints: Endpoints,
  deps: { db: Database; logger: Logger; workflowBundle: WorkflowBundle | { codePath: string } },
): Promise<WorkerRole> {
  const { webhookSecrets, carrierAccounts, trunkSecrets } = await openSecrets(config, deps.db);
  const outbound = createOutboundHttp({
    allowList: outboundAllowList(config, endpoints),
    maxResponseBytes: config.outbound.maxResponseBytes,
    userAgent: 'Switchboard/1.0',
  });
  const { worker, connection } = await createCallWorker({
    address: endpoints.temporalAddress,
    auth: config.temporal,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    logLevel: config.logLevel,
    workflowBundle: deps.workflowBundle,
    deps: {
      db: deps.db,
      telephony: createTelephonyProvider(config, endpoints),
      chat: createChatModel(config, endpoints),
      logger: deps.logger,
      pricing: { perMinuteUsd: config.calls.pricePerMinuteUsd },
      outbound,
      webhookSecrets,
      carrierAccounts,
      trunkSecrets,
      webhooks: { timeoutMs: config.outbound.webhookTimeoutMs },
    },
  });
  const running = worker.run().finally(() => connection.close());
  return {
    running,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
