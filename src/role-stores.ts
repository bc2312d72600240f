import type { Config } from './config';
import { ensureEncryptionKey } from './crypto/encryption-key';
import { createSecretBox } from './crypto/secret-box';
import { createWebhookSecretStore } from './crypto/webhook-secrets';
import { connectDatabase, ensureIndexes, type Database } from './db/database';
import { parseAllowList } from './net/allow-list';
import { ownServices } from './net/own-services';
import type { Endpoints } from './services';
import { createCarrierAccountStore } from './telephony/carrier-accounts';
import { connectTemporal, type TemporalClients } from './temporal/connection';
import { ensureSearchAttributes } from './temporal/search-attributes';
import { createTrunkSecrets } from './trunks/credentials';

/**
 * What both roles of a Switchboard process (roles.ts, worker-role.ts) open: the stores, the sealed secrets
 * and the outbound allow-list. The roles are shared by main-api.ts, main-worker.ts, dev.ts and the tests.
 */

export async function openStores(config: Config, endpoints: Endpoints): Promise<{ db: Database; temporal: TemporalClients }> {
  const db = await connectDatabase(endpoints.mongoUri, config.mongo.db);
  await ensureIndexes(db);
  const temporal = await connectTemporal(endpoints.temporalAddress, config.temporal.namespace, config.temporal);
  await ensureSearchAttributes(temporal.connection, config.temporal.namespace);
  return { db, temporal };
}

/** The secrets sealed at rest: webhook signing secrets, own carrier accounts, trunk credentials. */
export async function openSecrets(config: Config, db: Database) {
  const box = createSecretBox(await ensureEncryptionKey(config));
  return {
    webhookSecrets: createWebhookSecretStore(db, box),
    carrierAccounts: createCarrierAccountStore(db, box),
    trunkSecrets: createTrunkSecrets(box),
  };
}

/** OUTBOUND_ALLOWLIST, with the deployment's own services closed whatever it lists. */
export function outboundAllowList(config: Config, endpoints: Endpoints) {
  return parseAllowList(config.outbound.allowList, { reserved: ownServices(config, endpoints) });
}
