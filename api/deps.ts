import type { CallDefaults } from '../src/calls/call-input';
import type { Client } from '@temporalio/client';
import type { WebhookSecretStore } from '../src/crypto/webhook-secrets';
import type { Database } from '../src/db/database';
import type { Logger } from '../src/logger';
import type { AllowList } from '../src/net/allow-list';
import type { OutboundHttp } from '../src/net/outbound-http';
import type { RateLimitSettings } from '../src/rate-limit/settings';
import type { SpeechModel } from '../src/llm/speech-model';
import type { CarrierAccountStore } from '../src/telephony/carrier-accounts';
import type { TelephonyProvider } from '../src/telephony/provider';
import type { TrunkSecrets } from '../src/trunks/credentials';

export interface ApiDeps {
  db: Database;
  temporal: Client;
  /** Task queue of the call workflows this API starts. */
  taskQueue: string;
  /** Validates carrier webhooks; the API never places or controls calls itself. */
  telephony: TelephonyProvider;
  logger: Logger;
  /** Where carrier webhooks reach this API, as the carrier sees it (signatures are computed over it). */
  publicBaseUrl: string;
  bodyLimitBytes: number;
  adminApiKey: string | undefined;
  callDefaults: CallDefaults;
  modes: { telephony: string; llm: string };
  /** Rotation only (POST /v1/webhooks/signing_secret); webhooks are signed by the worker. */
  webhookSecrets: WebhookSecretStore;
  /** Bring-your-own Twilio accounts (POST /v1/accounts, the encrypted_key header). Absent: every key is unknown. */
  carrierAccounts?: CarrierAccountStore;
  /** Seals and opens SIP trunk passwords. Absent: a trunk with credentials cannot be created. */
  trunkSecrets?: TrunkSecrets;
  /** Batch defaults (config BATCH_*); absent in older callers of createApp, then the documented defaults apply. */
  batches?: { bodyLimitBytes: number; maxConcurrency: number; dialsPerSecond: number };
  /** OUTBOUND_ALLOWLIST for tool and dynamic_data URL checks, and the guarded client for POST /v1/dynamic_data/test. Absent: nothing private is allowed. */
  outbound?: { http: OutboundHttp; allowList: AllowList };
  /** Per-minute limits (config RATE_LIMIT_*; 0 = off); absent: DEFAULT_RATE_LIMITS. */
  rateLimits?: RateLimitSettings;
  /** POST /v1/dynamic_data/test's total time (config DYNAMIC_DATA_TEST_BUDGET_MS); absent: 30 s. */
  dynamicData?: { testBudgetMs: number };
  /** POST /web/demo-token answers (WEB_DEMO_TOKENS, development only); absent or false: 404. */
  webDemoTokens?: boolean;
  /** Text to speech for voice samples (POST /v1/voices/{id}/sample); absent: samples answer 503. */
  speech?: SpeechModel;
}
