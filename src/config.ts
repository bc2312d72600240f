import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { isValidEncryptionKey } from './crypto/encryption-key';
import { parseAllowList } from './net/allow-list';
import { DEFAULT_RATE_LIMITS, type RateLimitSettings } from './rate-limit/settings';
import { PUBLIC_SIMULATOR_AUTH_TOKEN } from './simulator/carrier/auth-token';

/**
 * The only reader of the environment. Everything else receives a typed Config.
 * Defaults describe the embedded, single-machine mode of `npm start`.
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const perMinute = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  PORT: port(3000),
  PUBLIC_BASE_URL: optionalString.pipe(z.url().optional()),
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_048_576),

  SWITCHBOARD_DATA_DIR: z.string().default('./data'),
  SWITCHBOARD_CACHE_DIR: z.string().default(join(homedir(), '.cache', 'switchboard')),
  SWITCHBOARD_API_KEY: optionalString,
  ADMIN_API_KEY: optionalString,

  MONGODB_URI: optionalString.pipe(z.string().startsWith('mongodb').optional()),
  MONGODB_DB: z.string().default('switchboard'),
  // Port of the embedded store; FERRETDB_PORT is its former name, still read.
  MONGO_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  FERRETDB_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  // The embedded MongoDB-wire server: SecantusDB (indexed, built with cargo) or FerretDB (Go, scans).
  EMBEDDED_MONGO: z.enum(['secantus', 'ferretdb']).default('secantus'),
  // SecantusDB's WiredTiger cache, like 512M or 2G (default 256M, src/infra/mongo-server.ts).
  EMBEDDED_MONGO_CACHE_SIZE: optionalString.pipe(z.string().regex(/^[1-9]\d{0,6}[MG]$/, 'a size like 512M or 2G').optional()),

  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('switchboard-calls'),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  /** The embedded dev server's SQLite file: `full` survives a power loss; `normal` is faster and survives a process crash (docs/operations.md). */
  TEMPORAL_SQLITE_SYNCHRONOUS: z.enum(['full', 'normal']).default('full'),
  WORKFLOW_BUNDLE_PATH: optionalString,

  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalString.pipe(z.url().optional()),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  OFFLINE_MODEL_PORT: port(4010),

  TWILIO_ACCOUNT_SID: optionalString,
  TWILIO_AUTH_TOKEN: optionalString,
  DEFAULT_FROM_NUMBER: z.string().default('+15550100000'),
  SIMULATOR_PORT: port(4020),
  SIMULATOR_SPEECH_DELAY_MS: z.coerce.number().int().min(0).default(0),
  SIMULATOR_ACCOUNT_SID: z.string().regex(/^AC[0-9a-f]{32}$/).default('AC5e1f0000000000000000000000000000'),
  // Unset: generated once into the data folder (src/simulator/carrier/auth-token.ts).
  SIMULATOR_AUTH_TOKEN: optionalString.pipe(z.string().min(16).optional()),

  CALL_MAX_DURATION_MINUTES: z.coerce.number().positive().default(30),
  CALL_RING_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(60),
  CALL_PRICE_PER_MINUTE_USD: z.coerce.number().min(0).default(0.09),
  // Web agents: how long a dropped browser socket may resume the same call (docs/web-agents.md).
  WEB_RESUME_GRACE_SECONDS: z.coerce.number().positive().max(3600).default(30),
  // Development only: POST /web/demo-token issues a session token for any agent, without a key (docs/web-agents.md "The page").
  WEB_DEMO_TOKENS: z.enum(['true', 'false']).default('false'),

  ENCRYPTION_KEY: optionalString.refine((v) => v === undefined || isValidEncryptionKey(v), {
    message: 'must be 32 bytes: 64 hex characters, or base64 (e.g. `openssl rand -base64 32`)',
  }),
  // host:port entries; nothing private is reachable by default, in development too.
  OUTBOUND_ALLOWLIST: z.string().default(''),
  OUTBOUND_MAX_RESPONSE_BYTES: z.coerce.number().int().positive().default(1_048_576),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(1000).max(50_000).default(10_000),
  // POST /v1/dynamic_data/test: the whole request's time, however many entries and timeouts it has.
  DYNAMIC_DATA_TEST_BUDGET_MS: z.coerce.number().int().min(1).max(300_000).default(30_000),

  // Batches: POST /v1/batches alone takes bodies this large (100,000 rows are several MB).
  BATCH_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(64 * 1_048_576),
  BATCH_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(50),
  BATCH_DIALS_PER_SECOND: z.coerce.number().positive().max(1000).default(20),

  // Rate limits per one-minute window, shared by all API processes through the store; 0 = off.
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: perMinute(DEFAULT_RATE_LIMITS.authFailuresPerAddress),
  RATE_LIMIT_AUTH_FAILURES_PER_KEY_PER_MINUTE: perMinute(DEFAULT_RATE_LIMITS.authFailuresPerKey),
  RATE_LIMIT_CALLS_PER_MINUTE: perMinute(DEFAULT_RATE_LIMITS.workPerOrg),
  RATE_LIMIT_REQUESTS_PER_MINUTE: perMinute(DEFAULT_RATE_LIMITS.requestsPerOrg),
});

export type TelephonyMode = 'twilio' | 'simulator';
export type LlmMode = 'openai' | 'offline';

export interface Config {
  env: 'development' | 'production' | 'test';
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  http: { host: string; port: number; publicBaseUrl: string | undefined; bodyLimitBytes: number };
  paths: { dataDir: string; cacheDir: string };
  auth: { seedApiKey: string | undefined; adminApiKey: string | undefined };
  mongo: { uri: string | undefined; db: string; embeddedPort: number; embedded: 'secantus' | 'ferretdb'; embeddedCacheSize: string | undefined };
  temporal: {
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    /** Temporal Cloud API key; implies TLS. */
    apiKey: string | undefined;
    tls: boolean;
    embeddedPort: number;
    uiPort: number;
    /** How the embedded dev server's SQLite file syncs its write-ahead log. */
    sqliteSynchronous: 'full' | 'normal';
    /** A prebuilt workflow bundle (tests, images); bundled at start when unset. */
    workflowBundlePath: string | undefined;
  };
  llm: { mode: LlmMode; apiKey: string | undefined; baseUrl: string | undefined; model: string; offlinePort: number };
  telephony: {
    mode: TelephonyMode;
    accountSid: string | undefined;
    authToken: string | undefined;
    defaultFrom: string;
    simulatorPort: number;
    simulatorSpeechDelayMs: number;
    simulatorAccountSid: string;
    /** Unset: one generated per data folder, read with ensureSimulatorAuthToken(). */
    simulatorAuthToken: string | undefined;
  };
  calls: { maxDurationMinutes: number; ringTimeoutSeconds: number; pricePerMinuteUsd: number };
  web: { resumeGraceMs: number; demoTokens: boolean };
  /** Seals secrets at rest; when unset outside production a key is generated into the data folder. */
  security: { encryptionKey: string | undefined };
  /** User-chosen HTTP destinations (webhooks, tools, dynamic_data): the SSRF guard's settings. */
  outbound: { allowList: string[]; maxResponseBytes: number; webhookTimeoutMs: number };
  /** POST /v1/dynamic_data/test's total time for all its requests; a call's dynamic_data has no such cap. */
  dynamicData: { testBudgetMs: number };
  /** Defaults of a batch that does not set them, and the batch route's own body limit. */
  batches: { bodyLimitBytes: number; maxConcurrency: number; dialsPerSecond: number };
  /** Per-minute limits on failed key checks (per address, per key) and per organisation; 0 = off. */
  rateLimits: RateLimitSettings;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // A variable set to nothing (`PORT=`, as env files and compose files often leave them) is unset:
  // its default applies, where a number's coercion would otherwise read it as 0.
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== '')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  if (Boolean(e.TWILIO_ACCOUNT_SID) !== Boolean(e.TWILIO_AUTH_TOKEN)) {
    throw new ConfigError('Invalid configuration:\n  TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together');
  }
  let allowList: string[];
  try {
    allowList = [...parseAllowList(e.OUTBOUND_ALLOWLIST).entries];
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  OUTBOUND_ALLOWLIST: ${(err as Error).message}`);
  }
  if (e.NODE_ENV === 'production' && e.SIMULATOR_AUTH_TOKEN === PUBLIC_SIMULATOR_AUTH_TOKEN) {
    throw new ConfigError(
      'Invalid configuration:\n  SIMULATOR_AUTH_TOKEN is the public example value, with which anyone could forge carrier webhooks; ' +
        'in production unset it (a random token is generated into the data folder) or set a secret of your own',
    );
  }
  if (e.NODE_ENV === 'production' && e.WEB_DEMO_TOKENS === 'true') {
    throw new ConfigError('Invalid configuration:\n  WEB_DEMO_TOKENS lets anyone talk to any agent without a key; it is for development only, not with NODE_ENV=production');
  }
  const telephonyMode: TelephonyMode = e.TWILIO_ACCOUNT_SID ? 'twilio' : 'simulator';
  if (telephonyMode === 'twilio' && !e.PUBLIC_BASE_URL) {
    throw new ConfigError(
      'Invalid configuration:\n  PUBLIC_BASE_URL is required with real Twilio credentials (Twilio must reach the webhooks)',
    );
  }
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    http: { host: e.HOST, port: e.PORT, publicBaseUrl: e.PUBLIC_BASE_URL, bodyLimitBytes: e.BODY_LIMIT_BYTES },
    paths: { dataDir: resolve(e.SWITCHBOARD_DATA_DIR), cacheDir: resolve(e.SWITCHBOARD_CACHE_DIR) },
    auth: { seedApiKey: e.SWITCHBOARD_API_KEY, adminApiKey: e.ADMIN_API_KEY },
    mongo: {
      uri: e.MONGODB_URI,
      db: e.MONGODB_DB,
      embeddedPort: e.MONGO_PORT ?? e.FERRETDB_PORT ?? 27117,
      embedded: e.EMBEDDED_MONGO,
      embeddedCacheSize: e.EMBEDDED_MONGO_CACHE_SIZE,
    },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      apiKey: e.TEMPORAL_API_KEY,
      tls: e.TEMPORAL_TLS ? e.TEMPORAL_TLS === 'true' : Boolean(e.TEMPORAL_API_KEY),
      embeddedPort: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      sqliteSynchronous: e.TEMPORAL_SQLITE_SYNCHRONOUS,
      workflowBundlePath: e.WORKFLOW_BUNDLE_PATH,
    },
    llm: {
      mode: e.OPENAI_API_KEY || e.OPENAI_BASE_URL ? 'openai' : 'offline',
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL,
      model: e.OPENAI_MODEL,
      offlinePort: e.OFFLINE_MODEL_PORT,
    },
    telephony: {
      mode: telephonyMode,
      accountSid: e.TWILIO_ACCOUNT_SID,
      authToken: e.TWILIO_AUTH_TOKEN,
      defaultFrom: e.DEFAULT_FROM_NUMBER,
      simulatorPort: e.SIMULATOR_PORT,
      simulatorSpeechDelayMs: e.SIMULATOR_SPEECH_DELAY_MS,
      simulatorAccountSid: e.SIMULATOR_ACCOUNT_SID,
      simulatorAuthToken: e.SIMULATOR_AUTH_TOKEN,
    },
    calls: {
      maxDurationMinutes: e.CALL_MAX_DURATION_MINUTES,
      ringTimeoutSeconds: e.CALL_RING_TIMEOUT_SECONDS,
      pricePerMinuteUsd: e.CALL_PRICE_PER_MINUTE_USD,
    },
    web: { resumeGraceMs: Math.round(e.WEB_RESUME_GRACE_SECONDS * 1000), demoTokens: e.WEB_DEMO_TOKENS === 'true' },
    security: { encryptionKey: e.ENCRYPTION_KEY },
    outbound: { allowList, maxResponseBytes: e.OUTBOUND_MAX_RESPONSE_BYTES, webhookTimeoutMs: e.WEBHOOK_TIMEOUT_MS },
    dynamicData: { testBudgetMs: e.DYNAMIC_DATA_TEST_BUDGET_MS },
    batches: { bodyLimitBytes: e.BATCH_BODY_LIMIT_BYTES, maxConcurrency: e.BATCH_MAX_CONCURRENCY, dialsPerSecond: e.BATCH_DIALS_PER_SECOND },
    rateLimits: {
      authFailuresPerAddress: e.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE,
      authFailuresPerKey: e.RATE_LIMIT_AUTH_FAILURES_PER_KEY_PER_MINUTE,
      workPerOrg: e.RATE_LIMIT_CALLS_PER_MINUTE,
      requestsPerOrg: e.RATE_LIMIT_REQUESTS_PER_MINUTE,
    },
  };
}
