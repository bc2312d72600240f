import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { connectDatabase, ensureIndexes, type Database } from '../src/db/database';
import { findOwnedCall, insertOnce } from '../src/db/call-events';
import { startFerretDb } from '../src/infra/ferretdb-server';
import { ferretdbBinary } from '../src/infra/paths';
import { getFreePort } from '../src/infra/readiness';
import { formatTable, summarize, type Summary } from './lib/stats';

/**
 * `npx tsx bench/read-model.ts [--calls 2000]`: what the worker's hot read-model writes cost on the
 * embedded FerretDB (SQLite) as the collections grow. Each filter shape the worker has used is
 * timed against a fresh FerretDB filled with `calls` calls of 12 transcript lines and 12 events.
 */

const LINES = 12;
const SAMPLES = 40;

async function fill(db: Database, calls: number, orgId: string): Promise<string[]> {
  const ids = Array.from({ length: calls }, (_, i) => `bench-call-${i.toString().padStart(6, '0')}`);
  const now = new Date();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await db.collections.calls.insertMany(
      chunk.map((id) => ({ _id: id, org_id: orgId, call_id: id, queue_status: 'complete', created_at: now }) as never),
    );
    await db.collections.transcripts.insertMany(
      chunk.flatMap((id) =>
        Array.from({ length: LINES }, (_, seq) => ({ _id: `${id}:${seq}`, org_id: orgId, call_id: id, seq, text: 'hello there', user: 'user', created_at: now }) as never),
      ),
    );
    await db.collections.callEvents.insertMany(
      chunk.flatMap((id) =>
        Array.from({ length: LINES }, (_, n) => ({ _id: `${id}:run:act:${n}`, org_id: orgId, call_id: id, level: 'call', category: 'info', message: 'x', timestamp: now }) as never),
      ),
    );
  }
  return ids;
}

async function time(fn: (i: number) => Promise<unknown>): Promise<Summary> {
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { calls: { type: 'string', default: '2000' } } });
  const calls = Number(values.calls);
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-readmodel-'));
  const server = await startFerretDb({ binary: ferretdbBinary(config.paths.cacheDir), dataDir: dir, logDir: dir, port: await getFreePort('127.0.0.1') });
  const db = await connectDatabase(server.uri, 'bench');
  try {
    await ensureIndexes(db);
    const org = 'org-bench';
    const t0 = performance.now();
    const ids = await fill(db, calls, org);
    process.stderr.write(`· filled ${calls} calls, ${calls * LINES} lines, ${calls * LINES} events in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    const pick = (i: number) => ids[(i * 7919) % ids.length]!;
    const c = db.collections;
    const upsert = (filter: Record<string, unknown>, id: string, i: number) =>
      c.transcripts.updateOne(filter as never, { $setOnInsert: { _id: id, org_id: org, call_id: 'x', seq: i } as never }, { upsert: true });
    const rows: Array<[string, Summary]> = [
      ['calls.findOne {_id}', await time((i) => c.calls.findOne({ _id: pick(i) }))],
      ['calls.findOne {_id, org_id}', await time((i) => c.calls.findOne({ _id: pick(i), org_id: org }))],
      ['calls.updateOne {_id} $set', await time((i) => c.calls.updateOne({ _id: pick(i) }, { $set: { answered_by: 'human' } }))],
      ['calls.updateOne {_id, org_id} $set', await time((i) => c.calls.updateOne({ _id: pick(i), org_id: org }, { $set: { answered_by: 'human' } }))],
      ['events upsert {_id, org_id} (before)', await time((i) => c.callEvents.updateOne({ _id: `ev-b:${i}`, org_id: org }, { $setOnInsert: { _id: `ev-b:${i}`, org_id: org, call_id: 'x', level: 'call', category: 'info', message: 'm', timestamp: new Date() } }, { upsert: true }))],
      ['events insertOnce (after)', await time((i) => insertOnce(c.callEvents, [{ _id: `ev-c:${i}`, org_id: org, call_id: 'x', level: 'call', category: 'info', message: 'm', timestamp: new Date() }]))],
      ['transcripts upsert {_id, org_id} (before)', await time((i) => upsert({ _id: `new-b:${i}`, org_id: org }, `new-b:${i}`, i))],
      ['transcripts upsert {_id}', await time((i) => upsert({ _id: `new-a:${i}` }, `new-a:${i}`, i))],
      ['transcripts insertOnce (after)', await time((i) => insertOnce(c.transcripts, [{ _id: `new-c:${i}`, org_id: org, call_id: 'x', seq: i, text: 't', user: 'user', created_at: new Date() }]))],
      ['transcripts insertOnce, duplicate (retry)', await time((i) => insertOnce(c.transcripts, [{ _id: `new-c:${i}`, org_id: org, call_id: 'x', seq: i, text: 't', user: 'user', created_at: new Date() }]))],
      ['transcript: find {org_id, call_id} sort (before)', await time((i) => c.transcripts.find({ org_id: org, call_id: pick(i) }).sort({ seq: 1 }).toArray())],
      ['call by {_id}, org checked in code (after)', await time((i) => findOwnedCall(db, org, pick(i)))],
    ];
    process.stdout.write(`\nFerretDB read model, ${calls} calls in the collections (${SAMPLES} samples each, sequential)\n${formatTable(rows)}\n`);
  } finally {
    await db.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
