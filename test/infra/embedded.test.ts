import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { loadConfig, type Config } from '../../src/config';
import { startEmbeddedInfrastructure, type EmbeddedInfrastructure } from '../../src/infra/embedded';
import { embeddedMongoBinary, temporalBinary } from '../../src/infra/paths';

jest.setTimeout(180_000);

const searchAttributes = { SbTestKeyword: 'Keyword', SbTestInt: 'Int' } as const;

interface Thing {
  _id: string;
  n: number;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function searchAttributeNames(address: string, namespace: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    expect((await connection.workflowService.getSystemInfo({})).serverVersion).toBeTruthy();
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    return Object.keys(customAttributes ?? {});
  } finally {
    await connection.close();
  }
}

async function withMongo<T>(uri: string, fn: (client: MongoClient) => Promise<T>): Promise<T> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000 });
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.close();
  }
}

describe('embedded infrastructure', () => {
  let dataDir: string;
  let config: Config;
  let infra: EmbeddedInfrastructure | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'sb-embedded-'));
    // An explicit env keeps a developer's MONGODB_URI/TEMPORAL_ADDRESS from skipping the servers.
    config = loadConfig({
      NODE_ENV: 'test',
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_CACHE_DIR: process.env.SWITCHBOARD_CACHE_DIR,
    });
  });

  afterEach(async () => {
    await infra?.stop();
    infra = undefined;
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts a server again on new ports when it dies before it is ready (random ports, as in tests)', async () => {
    // A Temporal CLI that dies like a server whose port was taken, once, then runs the real one.
    const realConfig = loadConfig({ NODE_ENV: 'test', SWITCHBOARD_CACHE_DIR: process.env.SWITCHBOARD_CACHE_DIR });
    const cacheDir = mkdtempSync(join(tmpdir(), 'sb-embedded-cache-'));
    const dir = mkdtempSync(join(tmpdir(), 'sb-embedded-retry-'));
    try {
      const marker = join(cacheDir, 'died-once');
      mkdirSync(join(cacheDir, 'bin'));
      writeFileSync(
        temporalBinary(cacheDir),
        `#!/bin/sh\nif [ ! -e '${marker}' ]; then : > '${marker}'; echo 'panic: listen tcp: bind: address already in use'; exit 2; fi\nexec '${temporalBinary(realConfig.paths.cacheDir)}' "$@"\n`,
        { mode: 0o755 },
      );
      symlinkSync(embeddedMongoBinary(realConfig.mongo.embedded, realConfig.paths.cacheDir), embeddedMongoBinary(realConfig.mongo.embedded, cacheDir));
      const logged: string[] = [];
      infra = await startEmbeddedInfrastructure(loadConfig({ NODE_ENV: 'test', SWITCHBOARD_DATA_DIR: dir, SWITCHBOARD_CACHE_DIR: cacheDir }), {
        ports: 'random',
        searchAttributes,
        log: (line) => logged.push(line),
      });
      expect(logged).toContainEqual(expect.stringMatching(/^temporal exited \(code 2\) before becoming ready \(panic: listen tcp: bind: address already in use\); starting it again on new ports$/));
      expect(await searchAttributeNames(infra.temporalAddress, config.temporal.namespace)).toEqual(expect.arrayContaining(Object.keys(searchAttributes)));
      await infra.stop();
      infra = undefined;
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves Mongo and Temporal, stops cleanly and keeps data across restarts', async () => {
    infra = await startEmbeddedInfrastructure(config, { ports: 'random', searchAttributes });
    expect(infra.pids).toHaveLength(2);
    expect(infra.temporalUiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    await withMongo(infra.mongoUri, async (client) => {
      const things = client.db('sbtest').collection<Thing>('things');
      await things.insertOne({ _id: 'a', n: 1 });
      expect(await things.findOne({ n: 1 })).toEqual({ _id: 'a', n: 1 });

      // The store must answer from its indexes (docs/operations.md), not by scanning.
      const lines = client.db('sbtest').collection<{ _id: string; org_id: string; call_id: string; seq: number }>('lines');
      await lines.createIndex({ org_id: 1, call_id: 1, seq: 1 });
      await lines.insertMany(
        Array.from({ length: 2_000 }, (_, i) => ({ _id: `l${i}`, org_id: `org${i % 2}`, call_id: `call${i % 100}`, seq: i })),
      );
      const plan = await lines.find({ org_id: 'org1', call_id: 'call7' }).sort({ seq: 1 }).explain('executionStats');
      const stats = plan.executionStats as { nReturned: number; totalDocsExamined: number; totalKeysExamined: number };
      expect(stats.nReturned).toBe(20);
      expect(stats.totalDocsExamined).toBe(20);
      expect(stats.totalKeysExamined).toBeLessThanOrEqual(21);
    });

    expect(await searchAttributeNames(infra.temporalAddress, config.temporal.namespace)).toEqual(
      expect.arrayContaining(Object.keys(searchAttributes)),
    );
    // Temporal's SQLite file is in write-ahead-log mode (docs/operations.md): its log sits beside it while the server runs.
    expect(existsSync(join(dataDir, 'temporal.sqlite-wal'))).toBe(true);

    const pids = infra.pids;
    await infra.stop();
    infra = undefined;
    for (const pid of pids) expect(isAlive(pid)).toBe(false);

    // Same data dir, new ports: the document must still be there, and an attribute added
    // since the database was created must get registered.
    const more = { ...searchAttributes, SbTestAddedLater: 'Bool' } as const;
    infra = await startEmbeddedInfrastructure(config, { ports: 'random', searchAttributes: more });
    await withMongo(infra.mongoUri, async (client) => {
      expect(await client.db('sbtest').collection<Thing>('things').findOne({ _id: 'a' })).toEqual({ _id: 'a', n: 1 });
    });
    expect(await searchAttributeNames(infra.temporalAddress, config.temporal.namespace)).toEqual(
      expect.arrayContaining(Object.keys(more)),
    );
  });
});
