import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createOrg, DEFAULT_ORG_ID, issueApiKey } from './auth/api-keys';
import type { Database } from './db/database';
import { newApiKey } from './ids';

/**
 * The organisation a fresh install starts with. SWITCHBOARD_API_KEY seeds that exact key; without it
 * a key is generated once and kept in the data folder (mode 0600) so a second start prints the same one.
 */
export async function ensureDefaultOrg(db: Database, dataDir: string, seedKey: string | undefined): Promise<string> {
  await createOrg(db, 'Default organisation', DEFAULT_ORG_ID);
  const keyFile = join(dataDir, 'default-api-key');
  let key = seedKey;
  if (!key) {
    key = existsSync(keyFile) ? (await readFile(keyFile, 'utf8')).trim() : newApiKey();
    await mkdir(dataDir, { recursive: true });
    await writeFile(keyFile, `${key}\n`, { mode: 0o600 });
  }
  await issueApiKey(db, DEFAULT_ORG_ID, 'default', key);
  return key;
}

/** The admin key: ADMIN_API_KEY, or one generated once and kept beside the default key. */
export async function ensureAdminKey(dataDir: string, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const keyFile = join(dataDir, 'admin-api-key');
  const key = existsSync(keyFile) ? (await readFile(keyFile, 'utf8')).trim() : `sbadmin_${newApiKey().slice(3)}`;
  await mkdir(dataDir, { recursive: true });
  await writeFile(keyFile, `${key}\n`, { mode: 0o600 });
  return key;
}
