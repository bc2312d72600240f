import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vm from 'node:vm';
import { loadConfig } from '../src/config';
import { startEmbeddedInfrastructure } from '../src/infra/embedded';
import { bundleWorkflows } from '../src/temporal/worker';
import { SEARCH_ATTRIBUTE_TYPES } from '../src/workflow-api/search-attributes';

/**
 * The mongodb driver loads `os` with a dynamic import() to describe itself in its handshake. In
 * jest's sandbox that import works only under `node --experimental-vm-modules` (which is what
 * adds vm.SyntheticModule); without it the driver sends an empty client document, which MongoDB
 * and SecantusDB refuse ("Missing required sub-document 'driver'"). Say so once, up front.
 */
function requireVmModules(): void {
  if (typeof (vm as { SyntheticModule?: unknown }).SyntheticModule === 'function') return;
  throw new Error(
    'Run the tests with `npm test` or `npm run jest -- <files>` (node --experimental-vm-modules): ' +
      'under plain jest the mongodb driver sends an empty handshake, which MongoDB refuses.',
  );
}

/** The URI without its password, for a log line. */
function redacted(uri: string): string {
  return uri.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/**
 * Once per test run: the embedded Temporal dev server and store on OS-picked ports, and the
 * workflow bundle. Test files reach them through the environment, which jest's workers inherit.
 * `MONGODB_URI=… npm test` runs the suite against that MongoDB-wire server instead of the embedded
 * store; every test file works in a database of its own (test_<id>) and drops it.
 */
export default async function globalSetup(): Promise<void> {
  requireVmModules();
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-test-'));
  const mongoUri = process.env.MONGODB_URI?.trim() ?? '';
  if (mongoUri) process.stderr.write(`\ntests use the MongoDB server at ${redacted(mongoUri)} (MONGODB_URI)\n`);
  const config = loadConfig({ ...process.env, SWITCHBOARD_DATA_DIR: dataDir, TEMPORAL_ADDRESS: '', MONGODB_URI: mongoUri });
  const [infra, bundle] = await Promise.all([
    startEmbeddedInfrastructure(config, { ports: 'random', searchAttributes: SEARCH_ATTRIBUTE_TYPES }),
    bundleWorkflows(),
  ]);
  const bundlePath = join(dataDir, 'workflow-bundle.js');
  await writeFile(bundlePath, bundle.code);
  process.env.TEMPORAL_ADDRESS = infra.temporalAddress;
  process.env.MONGODB_URI = infra.mongoUri;
  process.env.WORKFLOW_BUNDLE_PATH = bundlePath;
  process.env.SWITCHBOARD_TEST_DATA_DIR = dataDir;
  // Every process a test starts (workers too) seals secrets with one throwaway key, never ./data's.
  process.env.ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString('base64');
  process.env.SWITCHBOARD_DATA_DIR = dataDir;
  (globalThis as { __switchboardInfra?: typeof infra }).__switchboardInfra = infra;
}
