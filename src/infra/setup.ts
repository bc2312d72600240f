import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig, type Config } from '../config';
import { binDir, ferretdbBinary, ferretdbModuleDir, temporalBinary } from './paths';

const TEMPORAL_PACKAGE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
const MIN_GO = [1, 25] as const;

interface BinarySpec {
  name: string;
  target: string;
  /** Inputs of the build; a different stamp means the binary is stale. */
  stamp: string;
  /** go arguments, working directory and extra env; `output` is where go writes the binary. */
  command(tmp: string): { args: string[]; cwd?: string; env: NodeJS.ProcessEnv; output: string };
  /** Accept a binary built before stamps existed if it provably matches. */
  adopt?(goVersionM: string): boolean;
}

const say = (line: string): void => void process.stdout.write(`setup: ${line}\n`);

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

const stampPath = (target: string): string => `${target}.stamp`;

function readStamp(target: string): string | undefined {
  try {
    return readFileSync(stampPath(target), 'utf8').trim();
  } catch {
    return undefined;
  }
}

function ferretdbInputsHash(moduleDir: string): string {
  const hash = createHash('sha256');
  for (const file of ['main.go', 'go.mod', 'go.sum']) {
    hash.update(`${file}\0`).update(readFileSync(join(moduleDir, file))).update('\0');
  }
  return `sha256:${hash.digest('hex')}`;
}

function specs(config: Config): BinarySpec[] {
  const list: BinarySpec[] = [];
  if (config.temporal.address) say(`TEMPORAL_ADDRESS is set, skipping the Temporal CLI`);
  else {
    const target = temporalBinary(config.paths.cacheDir);
    list.push({
      name: 'temporal',
      target,
      stamp: TEMPORAL_PACKAGE,
      // go install names the file itself, so install into a private dir and move it.
      command: (tmp) => ({
        args: ['install', '-v', TEMPORAL_PACKAGE],
        env: { GOBIN: tmp },
        output: join(tmp, basename(target)),
      }),
      adopt: (info) => /^\s*mod\s+github\.com\/temporalio\/cli\s+v1\.5\.1\s/m.test(info),
    });
  }
  if (config.mongo.uri) say(`MONGODB_URI is set, skipping FerretDB`);
  else {
    const moduleDir = ferretdbModuleDir();
    list.push({
      name: 'ferretdb-sb',
      target: ferretdbBinary(config.paths.cacheDir),
      stamp: ferretdbInputsHash(moduleDir),
      command: (tmp) => ({
        args: ['build', '-v', '-o', join(tmp, 'ferretdb-sb'), '.'],
        cwd: moduleDir,
        // -buildvcs=false: the stamp is our version, and VCS stamping fails in fresh checkouts.
        env: { GOFLAGS: `${process.env.GOFLAGS ?? ''} -mod=mod -buildvcs=false`.trim(), GOTOOLCHAIN: 'local' },
        output: join(tmp, 'ferretdb-sb'),
      }),
    });
  }
  return list;
}

function checkGo(): void {
  const res = spawnSync('go', ['version'], { encoding: 'utf8' });
  const need = `Go >= ${MIN_GO.join('.')} is needed to build the embedded Temporal and FerretDB binaries`;
  const hint = 'Install it from https://go.dev/dl/ (or set TEMPORAL_ADDRESS and MONGODB_URI to use external services).';
  if (res.error || res.status !== 0) throw new Error(`\`go\` was not found or does not run. ${need}. ${hint}`);
  const m = /go(\d+)\.(\d+)/.exec(res.stdout);
  const [major, minor] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (major < MIN_GO[0] || (major === MIN_GO[0] && minor < MIN_GO[1])) {
    throw new Error(`${need}, found "${res.stdout.trim()}". ${hint}`);
  }
}

/** Temp dirs of builds that were interrupted (their setup process is gone). */
function removeStaleTemps(bin: string): void {
  for (const entry of readdirSync(bin)) {
    const pid = /^\..+\.tmp-(\d+)$/.exec(entry)?.[1];
    if (!pid) continue;
    try {
      process.kill(Number(pid), 0);
    } catch {
      rmSync(join(bin, entry), { recursive: true, force: true });
    }
  }
}

function runGo(name: string, args: string[], cwd: string | undefined, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn('go', args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        process.stdout.write(`  [${name}] ${line}\n`);
        tail.push(line);
        if (tail.length > 30) tail.shift();
      });
    }
    // Compiling and linking big packages prints nothing for minutes; show we are alive.
    const ticker = setInterval(() => say(`still building ${name} (${duration(Date.now() - started)})…`), 15_000);
    child.once('error', (err) => {
      clearInterval(ticker);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new Error(`go ${args.join(' ')} failed (${signal ?? `exit code ${code}`}):\n${tail.join('\n')}`));
    });
  });
}

export async function runSetup(config: Config): Promise<void> {
  const bin = binDir(config.paths.cacheDir);
  const todo: BinarySpec[] = [];
  let goChecked = false;
  for (const spec of specs(config)) {
    const present = existsSync(spec.target);
    if (present && readStamp(spec.target) === spec.stamp) {
      say(`${spec.name} is up to date (${spec.target})`);
      continue;
    }
    if (present && readStamp(spec.target) === undefined && spec.adopt) {
      checkGo();
      goChecked = true;
      const info = spawnSync('go', ['version', '-m', spec.target], { encoding: 'utf8' }).stdout ?? '';
      if (spec.adopt(info)) {
        writeFileSync(stampPath(spec.target), `${spec.stamp}\n`);
        say(`${spec.name} already built from ${spec.stamp}; recorded its stamp`);
        continue;
      }
    }
    todo.push(spec);
  }
  if (todo.length === 0) return;
  if (!goChecked) checkGo();
  mkdirSync(bin, { recursive: true });
  removeStaleTemps(bin);

  for (const spec of todo) {
    const tmp = join(bin, `.${spec.name}.tmp-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const started = Date.now();
    say(`building ${spec.name} (this can take several minutes the first time)…`);
    try {
      const { args, cwd, env, output } = spec.command(tmp);
      await runGo(spec.name, args, cwd, env);
      // rename is atomic within a filesystem, so the target is never half-written.
      renameSync(output, spec.target);
      writeFileSync(stampPath(spec.target), `${spec.stamp}\n`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    say(`built ${spec.name} in ${duration(Date.now() - started)} (${spec.target})`);
  }
}

if (require.main === module) {
  runSetup(loadConfig()).catch((err: unknown) => {
    process.stderr.write(`setup failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
