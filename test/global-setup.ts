import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config';
import { startEmbeddedInfrastructure } from '../src/infra/embedded';
import { bundleWorkflows } from '../src/temporal/worker';
import { SEARCH_ATTRIBUTE_TYPES } from '../src/workflow-api/search-attributes';

/**
 * Once per test run: the embedded Temporal dev server and FerretDB on OS-picked ports, and the
 * workflow bundle. Test files reach them through the environment, which jest's workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-test-'));
  const config = loadConfig({ ...process.env, SWITCHBOARD_DATA_DIR: dataDir, TEMPORAL_ADDRESS: '', MONGODB_URI: '' });
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
