import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The value SIMULATOR_AUTH_TOKEN once defaulted to. It is public, so anyone could sign carrier
 * webhooks with it: config refuses it in production.
 */
export const PUBLIC_SIMULATOR_AUTH_TOKEN = 'simulated-carrier-auth-token';

export interface SimulatorAuthTokenSettings {
  paths: { dataDir: string };
  telephony: { simulatorAuthToken: string | undefined };
}

/**
 * The auth token of the carrier simulator's account: the simulator signs its webhooks with it and
 * the API checks them with it, so both must get the same one. Configured: that token. Otherwise
 * one is generated once per data folder (mode 0600), like the encryption key and the API keys, so
 * the roles of one deployment (and a restart) agree without anyone choosing a secret. Synchronous:
 * it runs once while a role is built, and keeps createTelephonyProvider() synchronous.
 */
export function ensureSimulatorAuthToken(settings: SimulatorAuthTokenSettings): string {
  if (settings.telephony.simulatorAuthToken) return settings.telephony.simulatorAuthToken;
  const file = join(settings.paths.dataDir, 'simulator-auth-token');
  if (!existsSync(file)) {
    mkdirSync(settings.paths.dataDir, { recursive: true });
    // Written aside, then linked into place: when two roles start at once, the first link wins and
    // the other reads a whole token, never a half-written file.
    const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(draft, `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
    try {
      linkSync(draft, file);
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    } finally {
      rmSync(draft, { force: true });
    }
  }
  const token = readFileSync(file, 'utf8').trim();
  // An emptied or hand-edited file would sign nothing anyone can check.
  if (token.length < 16) throw new Error(`${file} does not hold a simulator auth token; delete it to generate a new one`);
  return token;
}
