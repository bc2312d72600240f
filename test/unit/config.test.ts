import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { withConcreteApiPort } from '../../src/infra/api-port';
import { defaultEndpoints } from '../../src/services';
import { ensureSimulatorAuthToken } from '../../src/simulator/carrier/auth-token';

/** loadConfig's thrown message, or a failure if it did not throw a ConfigError. */
function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

const TWILIO_SID = `AC${'a'.repeat(32)}`;

describe('loadConfig defaults', () => {
  const config = loadConfig({});

  it('runs the embedded, offline, simulated mode with nothing set', () => {
    expect(config.telephony.mode).toBe('simulator');
    expect(config.llm.mode).toBe('offline');
    expect(config.telephony.accountSid).toBeUndefined();
    expect(config.llm.apiKey).toBeUndefined();
    expect(config.env).toBe('development');
    expect(config.logLevel).toBe('info');
  });

  it('uses the documented ports and limits', () => {
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 3000, publicBaseUrl: undefined, bodyLimitBytes: 1_048_576 });
    expect(config.mongo).toMatchObject({ uri: undefined, db: 'switchboard', embeddedPort: 27117 });
    expect(config.temporal).toMatchObject({
      address: undefined,
      namespace: 'default',
      taskQueue: 'switchboard-calls',
      embeddedPort: 7233,
      uiPort: 8233,
    });
    expect(config.llm.offlinePort).toBe(4010);
    expect(config.telephony.simulatorPort).toBe(4020);
    expect(config.calls).toEqual({ maxDurationMinutes: 30, ringTimeoutSeconds: 60, pricePerMinuteUsd: 0.09 });
  });

  it("leaves the embedded store's cache to its default unless one is given", () => {
    expect(config.mongo.embeddedCacheSize).toBeUndefined();
    expect(loadConfig({ EMBEDDED_MONGO_CACHE_SIZE: '2G' }).mongo.embeddedCacheSize).toBe('2G');
  });

  it("syncs the embedded Temporal server's SQLite file in full unless told otherwise, and refuses other words", () => {
    expect(config.temporal.sqliteSynchronous).toBe('full');
    expect(loadConfig({ TEMPORAL_SQLITE_SYNCHRONOUS: 'normal' }).temporal.sqliteSynchronous).toBe('normal');
    expect(configError({ TEMPORAL_SQLITE_SYNCHRONOUS: 'off' })).toMatch(/TEMPORAL_SQLITE_SYNCHRONOUS/);
  });

  it('has no admin or seed key unless configured', () => {
    expect(config.auth).toEqual({ seedApiKey: undefined, adminApiKey: undefined });
  });

  it('resolves the data directory to an absolute path', () => {
    expect(config.paths.dataDir.startsWith('/')).toBe(true);
  });

  it('treats empty strings as unset', () => {
    const c = loadConfig({ TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '  ', OPENAI_API_KEY: '', MONGODB_URI: '', PUBLIC_BASE_URL: '' });
    expect(c.telephony.mode).toBe('simulator');
    expect(c.llm.mode).toBe('offline');
    expect(c.mongo.uri).toBeUndefined();
    expect(c.http.publicBaseUrl).toBeUndefined();
  });

  it('treats an empty number as unset too, not as 0', () => {
    const c = loadConfig({ PORT: '', SIMULATOR_PORT: ' ', BODY_LIMIT_BYTES: '', CALL_MAX_DURATION_MINUTES: '' });
    expect(c.http.port).toBe(3000);
    expect(c.telephony.simulatorPort).toBe(4020);
    expect(c.http.bodyLimitBytes).toBe(1_048_576);
    expect(c.calls.maxDurationMinutes).toBe(loadConfig({}).calls.maxDurationMinutes);
  });

  it('coerces numeric strings', () => {
    const c = loadConfig({ PORT: '8080', CALL_MAX_DURATION_MINUTES: '2.5', BODY_LIMIT_BYTES: '2048' });
    expect(c.http.port).toBe(8080);
    expect(c.calls.maxDurationMinutes).toBe(2.5);
    expect(c.http.bodyLimitBytes).toBe(2048);
  });
});

describe('loadConfig: Twilio', () => {
  it('refuses an account SID without an auth token, naming both variables', () => {
    const message = configError({ TWILIO_ACCOUNT_SID: TWILIO_SID });
    expect(message).toContain('TWILIO_ACCOUNT_SID');
    expect(message).toContain('TWILIO_AUTH_TOKEN');
  });

  it('refuses an auth token without an account SID, naming both variables', () => {
    const message = configError({ TWILIO_AUTH_TOKEN: 'secret-token' });
    expect(message).toContain('TWILIO_ACCOUNT_SID');
    expect(message).toContain('TWILIO_AUTH_TOKEN');
  });

  it('refuses real credentials without PUBLIC_BASE_URL, naming it', () => {
    const message = configError({ TWILIO_ACCOUNT_SID: TWILIO_SID, TWILIO_AUTH_TOKEN: 'secret-token' });
    expect(message).toContain('PUBLIC_BASE_URL');
  });

  it('switches to twilio mode with credentials and a public URL', () => {
    const c = loadConfig({ TWILIO_ACCOUNT_SID: TWILIO_SID, TWILIO_AUTH_TOKEN: 'secret-token', PUBLIC_BASE_URL: 'https://switchboard.example.com' });
    expect(c.telephony).toMatchObject({ mode: 'twilio', accountSid: TWILIO_SID, authToken: 'secret-token' });
    expect(c.http.publicBaseUrl).toBe('https://switchboard.example.com');
  });

  it('refuses a PUBLIC_BASE_URL that is not a URL, naming it', () => {
    expect(configError({ PUBLIC_BASE_URL: 'not a url' })).toContain('PUBLIC_BASE_URL');
  });
});

describe('loadConfig: invalid values are named', () => {
  it.each(['abc', '70000', '-1', '3000.5'])('PORT=%s', (PORT) => {
    expect(configError({ PORT })).toMatch(/\bPORT\b/);
  });

  it('names a bad LOG_LEVEL', () => {
    expect(configError({ LOG_LEVEL: 'loud' })).toContain('LOG_LEVEL');
  });

  it('names a bad NODE_ENV', () => {
    expect(configError({ NODE_ENV: 'staging' })).toContain('NODE_ENV');
  });

  it.each(['1T', '512', '0M', '-1G', '1.5G', '256 M'])('EMBEDDED_MONGO_CACHE_SIZE=%s', (EMBEDDED_MONGO_CACHE_SIZE) => {
    expect(configError({ EMBEDDED_MONGO_CACHE_SIZE })).toContain('EMBEDDED_MONGO_CACHE_SIZE');
  });

  it('names a MONGODB_URI that is not a MongoDB URI', () => {
    expect(configError({ MONGODB_URI: 'postgres://localhost/db' })).toContain('MONGODB_URI');
  });

  it('lists several problems at once', () => {
    const message = configError({ PORT: 'abc', LOG_LEVEL: 'loud', CALL_RING_TIMEOUT_SECONDS: '0' });
    expect(message).toContain('PORT');
    expect(message).toContain('LOG_LEVEL');
    expect(message).toContain('CALL_RING_TIMEOUT_SECONDS');
  });

  it('never echoes a secret in the error', () => {
    const message = configError({ TWILIO_ACCOUNT_SID: TWILIO_SID, TWILIO_AUTH_TOKEN: 'very-secret-token-value' });
    expect(message).not.toContain('very-secret-token-value');
  });
});

describe('loadConfig: LLM', () => {
  it('OPENAI_API_KEY selects openai mode', () => {
    const c = loadConfig({ OPENAI_API_KEY: 'sk-test' });
    expect(c.llm).toMatchObject({ mode: 'openai', apiKey: 'sk-test', model: 'gpt-4o-mini' });
  });

  it('OPENAI_BASE_URL alone selects openai mode too (a self-hosted compatible server)', () => {
    const c = loadConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' });
    expect(c.llm).toMatchObject({ mode: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', apiKey: undefined });
  });

  it('OPENAI_MODEL overrides the model', () => {
    expect(loadConfig({ OPENAI_API_KEY: 'sk-test', OPENAI_MODEL: 'gpt-4.1' }).llm.model).toBe('gpt-4.1');
  });
});

describe('loadConfig: the carrier simulator token', () => {
  const PUBLIC_TOKEN = 'simulated-carrier-auth-token';

  it('has no fixed default: unset means one generated per data folder', () => {
    expect(loadConfig({}).telephony.simulatorAuthToken).toBeUndefined();
    expect(loadConfig({ NODE_ENV: 'production' }).telephony.simulatorAuthToken).toBeUndefined();
  });

  it('refuses the public example value in production, naming the variable', () => {
    const message = configError({ NODE_ENV: 'production', SIMULATOR_AUTH_TOKEN: PUBLIC_TOKEN });
    expect(message).toContain('SIMULATOR_AUTH_TOKEN');
    expect(message).toMatch(/forge carrier webhooks/);
    expect(configError({ NODE_ENV: 'production', SIMULATOR_AUTH_TOKEN: ` ${PUBLIC_TOKEN} ` })).toContain('SIMULATOR_AUTH_TOKEN');
  });

  it('takes a token of your own in production, and the example value elsewhere', () => {
    expect(loadConfig({ NODE_ENV: 'production', SIMULATOR_AUTH_TOKEN: 'a-secret-of-our-own-0123' }).telephony.simulatorAuthToken).toBe('a-secret-of-our-own-0123');
    expect(loadConfig({ NODE_ENV: 'development', SIMULATOR_AUTH_TOKEN: PUBLIC_TOKEN }).telephony.simulatorAuthToken).toBe(PUBLIC_TOKEN);
  });

  it('refuses a token shorter than 16 characters', () => {
    expect(configError({ SIMULATOR_AUTH_TOKEN: 'short' })).toContain('SIMULATOR_AUTH_TOKEN');
  });
});

describe('ensureSimulatorAuthToken', () => {
  const dirs: string[] = [];
  const dataDir = async () => {
    const d = await mkdtemp(join(tmpdir(), 'sb-sim-token-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  const settings = (dir: string, token?: string) => ({ paths: { dataDir: dir }, telephony: { simulatorAuthToken: token } });

  it('generates a random token once per data folder, kept private, and reuses it', async () => {
    const dir = await dataDir();
    const [a, b] = [ensureSimulatorAuthToken(settings(dir)), ensureSimulatorAuthToken(settings(dir))];
    expect(a).toMatch(/^[0-9a-f]{48}$/);
    expect(b).toBe(a);
    expect(ensureSimulatorAuthToken(settings(dir))).toBe(a);
    expect((await stat(join(dir, 'simulator-auth-token'))).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['simulator-auth-token']);
    expect(ensureSimulatorAuthToken(settings(await dataDir()))).not.toBe(a);
  });

  it('uses a configured token and writes nothing', async () => {
    const dir = await dataDir();
    expect(ensureSimulatorAuthToken(settings(dir, 'configured-token-value'))).toBe('configured-token-value');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('withConcreteApiPort', () => {
  it('chooses a free port for PORT=0, so the API URL the carrier is given has the port it listens on', async () => {
    const c = await withConcreteApiPort(loadConfig({ PORT: '0' }));
    expect(c.http.port).toBeGreaterThan(0);
    expect(defaultEndpoints(c).publicBaseUrl).toBe(`http://127.0.0.1:${c.http.port}`);
  });

  it('keeps a port that is set, and any PUBLIC_BASE_URL', async () => {
    const c = await withConcreteApiPort(loadConfig({ PORT: '8080', PUBLIC_BASE_URL: 'https://calls.example.com' }));
    expect(c.http.port).toBe(8080);
    expect(defaultEndpoints(c).publicBaseUrl).toBe('https://calls.example.com');
  });
});
