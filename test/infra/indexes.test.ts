import { randomBytes } from 'node:crypto';
import { connectDatabase, ensureIndexes, type Database } from '../../src/db/database';

/**
 * ensureIndexes runs at every start of the API and the worker, on a fresh store or on one an older
 * release indexed: it brings either to the same indexes, and running it again changes nothing.
 */
describe('the read model indexes', () => {
  let db: Database;
  beforeAll(async () => {
    db = await connectDatabase(process.env.MONGODB_URI!, `test_indexes_${randomBytes(4).toString('hex')}`);
  });
  afterAll(async () => {
    await db.db.dropDatabase();
    await db.close();
  });

  const callIndexes = async () => (await db.collections.calls.listIndexes().toArray()).map((i) => i.name as string).sort();

  it("replaces a batch's calls index by the one that also orders them, on a store indexed by an older release", async () => {
    await db.collections.calls.createIndex({ org_id: 1, batch_id: 1 });
    expect(await callIndexes()).toContain('org_id_1_batch_id_1');
    await ensureIndexes(db);
    const after = await callIndexes();
    expect(after).toContain('org_id_1_batch_id_1_created_at_-1');
    expect(after).not.toContain('org_id_1_batch_id_1');
    // Again, as every later start does (and as two processes starting together do): the same indexes, no error.
    await Promise.all([ensureIndexes(db), ensureIndexes(db)]);
    expect(await callIndexes()).toEqual(after);
  });
});
