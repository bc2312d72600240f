import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { connectDatabase, ensureIndexes, type Database } from '../src/db/database';
import { findOwnedCall, insertOnce } from '../src/db/call-events';
import type { CallEventDoc, TranscriptDoc } from '../src/db/types';
import { startEmbeddedMongo } from '../src/infra/mongo-server';
import { EMBEDDED_MONGO_NAMES, embeddedMongoBinary, type EmbeddedMongoKind } from '../src/infra/paths';
import { getFreePort } from '../src/infra/readiness';
import { machineInfo } from './lib/machine';
import { formatTable, summarize, type Summary } from './lib/stats';

/**
 * `npx tsx bench/read-model.ts [--calls 20000] [--samples 100] [--store secantus,ferretdb] [--uri mongodb://…]`
 *
 * Every query shape the worker and the API use on the read model, timed on each store in turn: a
 * fresh store (or a fresh database of --uri) filled with `calls` calls of 12 transcript lines and
 * 12 events. Sequential, one request at a time. Each shape runs `samples` times, or for at most
 * MAX_SHAPE_MS, whichever ends first (a store that scans would otherwise take hours), so `n` says
 * how many samples a line has. Each p50 is also given as a ratio to a `ping` on the same server,
 * the floor of any round trip. Stores whose binary is missing are skipped with a note.
 */

const LINES = 12;
const CALLS_PER_BATCH = 100;
const MAX_SHAPE_MS = 20_000;
const MIN_SAMPLES = 5;

interface Target {
  label: string;
  version?: string;
  open(): Promise<{ uri: string; dbName: string; stop(): Promise<void> }>;
}

type Shape = [name: string, run: (db: Database, ctx: Context, i: number) => Promise<unknown>];

interface Context {
  org: string;
  ids: string[];
  pick(i: number): string;
}

async function fill(db: Database, calls: number, org: string): Promise<string[]> {
  const ids = Array.from({ length: calls }, (_, i) => `bench-call-${i.toString().padStart(6, '0')}`);
  const t0 = Date.now();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const at = (n: number) => new Date(t0 - (calls - n) * 1000);
    await db.collections.calls.insertMany(
      chunk.map(
        (id, k) =>
          ({
            _id: id,
            org_id: org,
            call_id: id,
            batch_id: `bench-batch-${Math.floor((i + k) / CALLS_PER_BATCH)}`,
            queue_status: (i + k) % 1000 === 0 ? 'queued' : 'complete',
            created_at: at(i + k),
          }) as never,
      ),
    );
    await db.collections.transcripts.insertMany(
      chunk.flatMap((id) =>
        Array.from({ length: LINES }, (_, seq) => ({ _id: `${id}:${seq}`, org_id: org, call_id: id, seq, text: 'hello there', user: 'user', created_at: at(i) }) as never),
      ),
    );
    await db.collections.callEvents.insertMany(
      chunk.flatMap((id) =>
        Array.from({ length: LINES }, (_, n) => ({ _id: `${id}:run:act:${n}`, org_id: org, call_id: id, level: 'call', category: 'info', message: 'x', timestamp: new Date(at(i).getTime() + n) }) as never),
      ),
    );
  }
  return ids;
}

const transcriptLine = (org: string, id: string, i: number): TranscriptDoc => ({ _id: id, org_id: org, call_id: 'x', seq: i, text: 't', user: 'user', created_at: new Date() });
const event = (org: string, id: string): CallEventDoc => ({ _id: id, org_id: org, call_id: 'x', level: 'call', category: 'info', message: 'm', timestamp: new Date() });

/** In the order the worker and API meet them; the first is the baseline. */
const shapes: Shape[] = [
  ['ping (baseline)', (db) => db.db.command({ ping: 1 })],
  ['calls.findOne {_id}', (db, c, i) => db.collections.calls.findOne({ _id: c.pick(i) })],
  ['calls.findOne {_id, org_id}', (db, c, i) => db.collections.calls.findOne({ _id: c.pick(i), org_id: c.org })],
  ['call by {_id}, org checked in code', (db, c, i) => findOwnedCall(db, c.org, c.pick(i))],
  ['calls.updateOne {_id} $set', (db, c, i) => db.collections.calls.updateOne({ _id: c.pick(i) }, { $set: { answered_by: 'human' } })],
  ['calls.updateOne {_id, org_id} $set', (db, c, i) => db.collections.calls.updateOne({ _id: c.pick(i), org_id: c.org }, { $set: { answered_by: 'human' } })],
  ['transcripts insertOnce', (db, c, i) => insertOnce(db.collections.transcripts, [transcriptLine(c.org, `new-c:${i}`, i)])],
  ['transcripts insertOnce, duplicate (retry)', (db, c, i) => insertOnce(db.collections.transcripts, [transcriptLine(c.org, `new-c:${i}`, i)])],
  ['transcripts upsert {_id}', (db, c, i) => db.collections.transcripts.updateOne({ _id: `new-a:${i}` }, { $setOnInsert: transcriptLine(c.org, `new-a:${i}`, i) }, { upsert: true })],
  ['transcripts upsert {_id, org_id}', (db, c, i) => db.collections.transcripts.updateOne({ _id: `new-b:${i}`, org_id: c.org }, { $setOnInsert: transcriptLine(c.org, `new-b:${i}`, i) }, { upsert: true })],
  ['events insertOnce', (db, c, i) => insertOnce(db.collections.callEvents, [event(c.org, `ev-c:${i}`)])],
  ['events upsert {_id, org_id}', (db, c, i) => db.collections.callEvents.updateOne({ _id: `ev-b:${i}`, org_id: c.org }, { $setOnInsert: event(c.org, `ev-b:${i}`) }, { upsert: true })],
  ['transcript: find {org_id, call_id} sort seq', (db, c, i) => db.collections.transcripts.find({ org_id: c.org, call_id: c.pick(i) }).sort({ seq: 1 }).toArray()],
  ['events: find {org_id, call_id} sort timestamp', (db, c, i) => db.collections.callEvents.find({ org_id: c.org, call_id: c.pick(i) }).sort({ timestamp: 1 }).toArray()],
  [
    'GET /v1/calls page: count {org_id} + 20 newest',
    (db, c) =>
      Promise.all([
        db.collections.calls.countDocuments({ org_id: c.org }),
        db.collections.calls.find({ org_id: c.org }).sort({ created_at: -1 }).limit(20).toArray(),
      ]),
  ],
  ['batch calls: find {org_id, batch_id}', (db, c, i) => db.collections.calls.find({ org_id: c.org, batch_id: `bench-batch-${i % Math.ceil(c.ids.length / CALLS_PER_BATCH)}` }).toArray()],
  ['queued calls: find {org_id, queue_status}', (db, c) => db.collections.calls.find({ org_id: c.org, queue_status: 'queued' }).toArray()],
];

async function time(samples: number, fn: (i: number) => Promise<unknown>): Promise<Summary> {
  const took: number[] = [];
  const until = performance.now() + MAX_SHAPE_MS;
  for (let i = 0; i < samples && (i < MIN_SAMPLES || performance.now() < until); i++) {
    const t0 = performance.now();
    await fn(i);
    took.push(performance.now() - t0);
  }
  return summarize(took);
}

async function serverVersion(db: Database): Promise<string> {
  const info = await db.db.admin().command({ buildInfo: 1 }).catch(() => ({}) as Record<string, unknown>);
  return String(info.version ?? 'unknown');
}

async function measure(target: Target, calls: number, samples: number): Promise<Array<[string, Summary]>> {
  const server = await target.open();
  const db = await connectDatabase(server.uri, server.dbName);
  try {
    target.version = await serverVersion(db);
    await ensureIndexes(db);
    const org = 'org-bench';
    const t0 = performance.now();
    const ids = await fill(db, calls, org);
    process.stderr.write(`· ${target.label}: filled ${calls} calls, ${calls * LINES} lines, ${calls * LINES} events in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    const ctx: Context = { org, ids, pick: (i) => ids[(i * 7919) % ids.length]! };
    const rows: Array<[string, Summary]> = [];
    for (const [name, run] of shapes) {
      rows.push([name, await time(samples, (i) => run(db, ctx, i))]);
      process.stderr.write(`· ${target.label}: ${name}\n`);
    }
    return rows;
  } finally {
    await db.db.dropDatabase().catch(() => undefined);
    await db.close();
    await server.stop();
  }
}

function embedded(kind: EmbeddedMongoKind, cacheDir: string): Target | string {
  const binary = embeddedMongoBinary(kind, cacheDir);
  if (!existsSync(binary)) return `${EMBEDDED_MONGO_NAMES[kind]} skipped: ${binary} is missing (EMBEDDED_MONGO=${kind} npm run setup)`;
  return {
    label: EMBEDDED_MONGO_NAMES[kind],
    async open() {
      const dir = await mkdtemp(join(tmpdir(), `switchboard-readmodel-${kind}-`));
      const server = await startEmbeddedMongo({ kind, binary, dataDir: dir, logDir: dir, port: await getFreePort('127.0.0.1') });
      return {
        uri: server.uri,
        dbName: 'bench',
        async stop() {
          await server.stop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

function external(uri: string): Target {
  return {
    label: 'MONGODB_URI',
    open: async () => ({ uri, dbName: `bench_readmodel_${process.pid}`, stop: async () => undefined }),
  };
}

const cell = (s: Summary, base: Summary) => `${s.p50.toFixed(2)} / ${s.p99.toFixed(2)} (${(s.p50 / base.p50).toFixed(1)}x)`;

function comparison(results: Array<[Target, Array<[string, Summary]>]>): string {
  const header = ['p50 / p99 ms (p50 as x ping)', ...results.map(([t]) => t.label)];
  const body = shapes.map(([name], row) => [name, ...results.map(([, rows]) => cell(rows[row]![1], rows[0]![1]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '20000' },
      samples: { type: 'string', default: '100' },
      store: { type: 'string', default: 'secantus,ferretdb' },
      uri: { type: 'string' },
    },
  });
  const calls = Number(values.calls);
  const samples = Number(values.samples);
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const targets: Target[] = [];
  for (const kind of values.store.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (kind !== 'secantus' && kind !== 'ferretdb') throw new Error(`--store: unknown store ${kind} (secantus, ferretdb)`);
    const target = embedded(kind, config.paths.cacheDir);
    if (typeof target === 'string') process.stderr.write(`· ${target}\n`);
    else targets.push(target);
  }
  if (values.uri) targets.push(external(values.uri));
  if (targets.length === 0) throw new Error('nothing to measure: no store binary found and no --uri');

  const results: Array<[Target, Array<[string, Summary]>]> = [];
  for (const target of targets) results.push([target, await measure(target, calls, samples)]);

  const m = await machineInfo();
  const out: string[] = [`machine   ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}`, `versions  node ${process.version}`];
  for (const [target, rows] of results) {
    out.push('', `${target.label} ${target.version ?? ''}: ${calls} calls in the collections (up to ${samples} samples a shape, sequential)`, formatTable(rows));
  }
  out.push('', comparison(results));
  process.stdout.write(`\n${out.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
