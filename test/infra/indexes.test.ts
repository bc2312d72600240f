import { randomBytes } from 'node:crypto';
import type { Document } from 'mongodb';
import { listingFilter } from '../../src/db/call-indexes';
import { CALL_INDEXES, REPLACED_CALL_INDEXES } from '../../src/db/call-indexes';
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

  it("replaces the calls' indexes of older releases by one index a hot query, on a store indexed by an older release", async () => {
    // What the releases before the current layout created, in the order they did.
    await db.collections.calls.createIndex({ org_id: 1, batch_id: 1 });
    await db.collections.calls.createIndex({ org_id: 1, created_at: -1 });
    await db.collections.calls.createIndex({ org_id: 1, batch_id: 1, created_at: -1 });
    await db.collections.calls.createIndex({ org_id: 1, queue_status: 1 });
    await db.collections.calls.createIndex({ org_id: 1, completed: 1, created_at: -1 });
    expect(await callIndexes()).toEqual(expect.arrayContaining(REPLACED_CALL_INDEXES));
    await ensureIndexes(db);
    const after = await callIndexes();
    expect(after).toEqual(['_id_', 'calls_by_batch', 'calls_by_org', 'calls_live_by_org', 'provider_call_sid_1_org_id_1']);
    // Again, as every later start does (and as two processes starting together do): the same indexes, no error.
    await Promise.all([ensureIndexes(db), ensureIndexes(db)]);
    expect(await callIndexes()).toEqual(after);
  });

  it('keeps the partial filters that let each query meet one index', async () => {
    const specs = await db.collections.calls.listIndexes().toArray();
    const partial = (name: string) => specs.find((s) => s.name === name)?.partialFilterExpression as unknown;
    expect(partial('calls_by_org')).toEqual({ created_at: { $exists: true } });
    expect(partial('calls_live_by_org')).toEqual({ completed: false });
    expect(CALL_INDEXES.map((i) => i.options.name ?? 'provider_call_sid_1_org_id_1').sort()).toEqual(specs.map((s) => s.name).filter((n) => n !== '_id_').sort());
  });

  // Each hot query meets one index and no other plan is tried against it: on the embedded store a
  // contest between two indexes costs every query a trial (src/db/call-indexes.ts).
  it.each([
    ['the newest page of an organisation', { org_id: 'o1', created_at: { $gte: new Date(0) } }, 'calls_by_org'],
    ['an organisation filtered by number', listingFilter({ org_id: 'o1', to: '+14155550100' }), 'calls_by_org'],
    ['live calls (?completed=false, active/stop)', listingFilter({ org_id: 'o1', completed: false }), 'calls_live_by_org'],
    ["a batch's calls", listingFilter({ org_id: 'o1', batch_id: 'b1' }), 'calls_by_batch'],
    ['a carrier SID', { provider_call_sid: 'CA1', org_id: 'o1' }, 'provider_call_sid_1_org_id_1'],
  ])('%s: one index, no plan tried against it', async (_name, filter, index) => {
    const now = Date.now();
    await db.collections.calls.insertMany(
      Array.from({ length: 40 }, (_, i) => ({
        _id: `idx-${randomBytes(6).toString('hex')}`, org_id: i % 2 ? 'o1' : 'o2', batch_id: i % 3 ? 'b1' : null, completed: i % 4 === 0 ? false : true,
        to: '+14155550100', provider_call_sid: `CA${i}`, created_at: new Date(now - i * 1000),
      })) as never[],
    );
    const explained = await db.collections.calls.find(filter as never).sort({ created_at: -1 }).limit(20).explain('queryPlanner');
    expect(planOf(explained)).toEqual({ indexes: [index], rejected: 0 });
  });
});

/** The index names a plan reads, and the plans it beat, from `explain` (MongoDB's queryPlanner shape). */
function planOf(explained: Document): { indexes: string[]; rejected: number } {
  const indexes: string[] = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (typeof n.indexName === 'string') indexes.push(n.indexName);
    for (const v of Object.values(n)) if (typeof v === 'object') walk(v);
  };
  const planner = explained.queryPlanner as { winningPlan: unknown; rejectedPlans?: unknown[] };
  walk(planner.winningPlan);
  return { indexes, rejected: planner.rejectedPlans?.length ?? 0 };
}
