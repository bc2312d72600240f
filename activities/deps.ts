import type { WebhookSecretStore } from '../src/crypto/webhook-secrets';
import type { Database } from '../src/db/database';
import type { ChatModel } from '../src/llm/chat-model';
import type { Logger } from '../src/logger';
import type { OutboundHttp } from '../src/net/outbound-http';
import type { CarrierAccountStore } from '../src/telephony/carrier-accounts';
import type { TelephonyProvider } from '../src/telephony/provider';
import type { TrunkSecrets } from '../src/trunks/credentials';

/** Vendor clients are built once in the worker and handed to createActivities. */
export interface ActivityDeps {
  db: Database;
  telephony: TelephonyProvider;
  chat: ChatModel;
  logger: Logger;
  pricing: { perMinuteUsd: number };
  /** HTTP to user-chosen URLs behind the SSRF guard: webhooks now, tools and dynamic_data later. */
  outbound: OutboundHttp;
  webhookSecrets: WebhookSecretStore;
  /** Resolves encrypted_key to per-call carrier credentials. Absent: BYOT calls fail before dialling. */
  carrierAccounts?: CarrierAccountStore;
  /** Opens SIP trunk passwords for the legs that present them. */
  trunkSecrets?: TrunkSecrets;
  webhooks: { timeoutMs: number };
}
