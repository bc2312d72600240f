import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const infra = (globalThis as { __switchboardInfra?: { stop(): Promise<void> } }).__switchboardInfra;
  await infra?.stop();
  const dataDir = process.env.SWITCHBOARD_TEST_DATA_DIR;
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
