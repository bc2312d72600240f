import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { connectDatabase, ensureIndexes, type Database } from '../src/db/database';
import { DEFAULT_CACHE_SIZE, startEmbeddedMongo } from '../src/infra/mongo-server';
import { EMBEDDED_MONGO_NAMES, embeddedMongoBinary, type EmbeddedMongoKind } from '../src/infra/paths';
import { getFreePort } from '../src/infra/readiness';
import { machineInfo } from './lib/machine';
import { EVENTS, fill, LINES } from './lib/read-model-data';
import { SHAPES, shapeContext } from './lib/read-model-shapes';
import { formatTable, summarize, type Summary } from './lib/stats';

/**
 * `npx tsx bench/read-model.ts [--calls 100000] [--samples 100] [--store secantus[,ferretdb]] [--uri mongodb://…] [--max-shape-s 20] [--cache-size 256M]`
 *
 * Every query shape the worker and the API send to the read model (bench/lib/read-model-shapes.ts),
 * timed on each store in turn: a fresh store (or a fresh database of --uri) filled with `calls`
 * finished calls of one organisation, 12 transcript lines and 12 events each, a batch per 100
 * calls, in rounds of 500 calls (memory stays flat whatever --calls is). Sequential, one request
 * at a time. Each shape runs `samples` times or until its time budget (--max-shape-s) is spent,
 * with at least MIN_SAMPLES samples unless those alone would take three budgets (a store that
 * scans 1.2 million lines per query would otherwise take hours): `n` says how many samples a line
 * has. Each p50 is also given as a ratio to a `ping` on the same server, the floor of any round
 * trip. Stores whose binary is missing are skipped with a note. SecantusDB runs with the cache
 * `npm start` gives it (256 MB, or EMBEDDED_MONGO_CACHE_SIZE), or `--cache-size`.
 */

const MIN_SAMPLES = 3;

interface Target {
  label: string;
  version?: string;
  open(): Promise<{ uri: string; dbName: string; stop(): Promise<void> }>;
}

interface Measured {
  rows: Array<[string, Summary]>;
  /** Shapes the store refused, with its message: their rows have no samples. */
  failures: string[];
  fillMs: number;
  shapesMs: number;
}

async function time(samples: number, budgetMs: number, fn: (i: number) => Promise<unknown>): Promise<Summary> {
  const took: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < samples; i++) {
    const spent = performance.now() - t0;
    if (i > 0 && spent >= (i < MIN_SAMPLES ? 3 * budgetMs : budgetMs)) break;
    const s0 = performance.now();
    await fn(i);
    took.push(performance.now() - s0);
  }
  return summarize(took);
}

function driverVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('mongodb/package.json') as { version: string }).version;
}

async function serverVersion(db: Database): Promise<string> {
  const info = await db.db.admin().command({ buildInfo: 1 }).catch(() => ({}) as Record<string, unknown>);
  return String(info.version ?? 'unknown');
}

async function measure(target: Target, calls: number, samples: number, budgetMs: number): Promise<Measured> {
  const server = await target.open();
  const db = await connectDatabase(server.uri, server.dbName);
  const log = (msg: string) => process.stderr.write(`· ${target.label}: ${msg}\n`);
  try {
    target.version = await serverVersion(db);
    await ensureIndexes(db);
    const t0 = performance.now();
    let lastLog = t0;
    await fill(db, calls, (done) => {
      if (performance.now() - lastLog < 10_000) return;
      lastLog = performance.now();
      log(`filled ${done} of ${calls} calls in ${((lastLog - t0) / 1000).toFixed(0)} s`);
    });
    const fillMs = performance.now() - t0;
    log(`filled ${calls} calls, ${calls * LINES} lines, ${calls * EVENTS} events in ${(fillMs / 1000).toFixed(1)} s`);
    const ctx = shapeContext(calls);
    const rows: Array<[string, Summary]> = [];
    const failures: string[] = [];
    const t1 = performance.now();
    for (const shape of SHAPES) {
      const summary = await time(samples, budgetMs, (i) => shape.run(db, ctx, i)).catch((err: unknown) => {
        failures.push(`${shape.name}: ${err instanceof Error ? err.message : String(err)}`);
        return summarize([]);
      });
      rows.push([shape.name, summary]);
      log(`${shape.name}: ${summary.n > 0 ? `p50 ${summary.p50.toFixed(2)} ms, n ${summary.n}` : 'failed'}`);
    }
    return { rows, failures, fillMs, shapesMs: performance.now() - t1 };
  } finally {
    await db.db.dropDatabase().catch(() => undefined);
    await db.close();
    await server.stop();
  }
}

function embedded(kind: EmbeddedMongoKind, cacheDir: string, cacheSize: string): Target | string {
  const binary = embeddedMongoBinary(kind, cacheDir);
  if (!existsSync(binary)) return `${EMBEDDED_MONGO_NAMES[kind]} skipped: ${binary} is missing (EMBEDDED_MONGO=${kind} npm run setup)`;
  return {
    label: kind === 'secantus' ? `${EMBEDDED_MONGO_NAMES[kind]} (cache ${cacheSize})` : EMBEDDED_MONGO_NAMES[kind],
    async open() {
      const dir = await mkdtemp(join(tmpdir(), `switchboard-readmodel-${kind}-`));
      const server = await startEmbeddedMongo({ kind, binary, dataDir: dir, logDir: dir, port: await getFreePort('127.0.0.1'), cacheSize });
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

const cell = (s: Summary, base: Summary) => (s.n === 0 ? 'failed' : `${s.p50.toFixed(2)} / ${s.p99.toFixed(2)} (${(s.p50 / base.p50).toFixed(1)}x)`);

function comparison(results: Array<[Target, Measured]>): string {
  const header = ['p50 / p99 ms (p50 as x ping)', ...results.map(([t]) => t.label)];
  const body = SHAPES.map(({ name }, row) => [name, ...results.map(([, m]) => cell(m.rows[row]![1], m.rows[0]![1]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '100000' },
      samples: { type: 'string', default: '100' },
      // FerretDB scans: at 100,000 calls each of its scanning shapes takes minutes. Compare at --calls 2000.
      store: { type: 'string', default: 'secantus' },
      uri: { type: 'string' },
      'max-shape-s': { type: 'string', default: '20' },
      'cache-size': { type: 'string' },
    },
  });
  const calls = Number(values.calls);
  const samples = Number(values.samples);
  const budgetMs = Number(values['max-shape-s']) * 1000;
  if (!Number.isInteger(calls) || calls < 100 || calls > 1_000_000) throw new Error('--calls must be an integer in 100..1000000');
  if (!Number.isInteger(samples) || samples < 1) throw new Error('--samples must be a positive integer');
  if (!Number.isFinite(budgetMs) || budgetMs <= 0) throw new Error('--max-shape-s must be a positive number');
  // --cache-size is checked as EMBEDDED_MONGO_CACHE_SIZE is.
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', EMBEDDED_MONGO_CACHE_SIZE: values['cache-size'] ?? process.env.EMBEDDED_MONGO_CACHE_SIZE });
  const targets: Target[] = [];
  for (const kind of values.store.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (kind !== 'secantus' && kind !== 'ferretdb') throw new Error(`--store: unknown store ${kind} (secantus, ferretdb)`);
    const target = embedded(kind, config.paths.cacheDir, config.mongo.embeddedCacheSize ?? DEFAULT_CACHE_SIZE);
    if (typeof target === 'string') process.stderr.write(`· ${target}\n`);
    else targets.push(target);
  }
  if (values.uri) targets.push(external(values.uri));
  if (targets.length === 0) throw new Error('nothing to measure: no store binary found and no --uri');

  const results: Array<[Target, Measured]> = [];
  for (const target of targets) results.push([target, await measure(target, calls, samples, budgetMs)]);

  const m = await machineInfo();
  const out: string[] = [
    `machine   ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}`,
    `versions  node ${process.version}, mongodb driver ${driverVersion()}`,
    `data      ${calls} finished calls of one organisation (one in 1000 still queued), ${LINES} transcript lines and ${EVENTS} events each,` +
      ` a batch per 100 calls, an idempotency key per 10 calls; the indexes of src/db/database.ts`,
    `method    one request at a time; up to ${samples} samples a shape, fewer when its ${budgetMs / 1000} s budget ran out (n says how many);` +
      ' writes add documents as they go. Not measured: concurrent load, a replica set, a store over the network.',
  ];
  for (const [target, r] of results) {
    out.push(
      '',
      `${target.label} ${target.version ?? ''}: filled in ${(r.fillMs / 1000).toFixed(0)} s, shapes timed in ${(r.shapesMs / 1000).toFixed(0)} s`,
      formatTable(r.rows),
      ...r.failures.map((f) => `  ! refused by ${target.label}: ${f}`),
    );
  }
  if (results.length > 1) out.push('', comparison(results));
  out.push('', 'where each shape is sent from:', ...SHAPES.map((s) => `  ${s.name}: ${s.usedBy}`));
  process.stdout.write(`\n${out.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
