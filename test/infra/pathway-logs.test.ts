import { randomBytes } from 'node:crypto';
import { connectDatabase, type Database } from '../../src/db/database';
import { keepPathwayLogs } from '../../src/db/pathway-logs';

/** A live pathway call's logs in the store only grow: an older snapshot landing late changes nothing. */
describe('pathway logs', () => {
  let db: Database;
  beforeAll(async () => {
    db = await connectDatabase(process.env.MONGODB_URI!, `test_pathway_logs_${randomBytes(4).toString('hex')}`);
  });
  afterAll(async () => {
    await db.db.dropDatabase();
    await db.close();
  });

  const logs = (n: number) => Array.from({ length: n }, (_, i) => ({ kind: 'edge', turn: i }));
  const stored = async (id: string) => (await db.collections.calls.findOne({ _id: id }))?.pathway_logs;

  it('keeps the longer snapshot whatever order they land in', async () => {
    await db.collections.calls.insertMany([
      { _id: 'c1', org_id: 'o1', pathway_logs: null },
      { _id: 'c2', org_id: 'o1', pathway_logs: logs(1) },
    ] as never);
    await keepPathwayLogs(db, 'c1', logs(3));
    expect(await stored('c1')).toEqual(logs(3));
    // A retried record of an earlier turn lands after a later one.
    await keepPathwayLogs(db, 'c1', logs(2));
    expect(await stored('c1')).toEqual(logs(3));
    await keepPathwayLogs(db, 'c1', logs(3));
    expect(await stored('c1')).toEqual(logs(3));
    await keepPathwayLogs(db, 'c1', logs(5));
    expect(await stored('c1')).toEqual(logs(5));
    // Nothing to keep: a call's logs are never emptied.
    await keepPathwayLogs(db, 'c2', []);
    expect(await stored('c2')).toEqual(logs(1));
    await keepPathwayLogs(db, 'c2', logs(2));
    expect(await stored('c2')).toEqual(logs(2));
  });
});
