import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig, type Config } from '../config';
import { EMBEDDED_MONGO_NAMES, binDir, ferretdbBinary, ferretdbModuleDir, secantusBinary, temporalBinary } from './paths';
import { ensurePythonEnv } from './python-env';
import { withSetupLock } from './setup-lock';

const TEMPORAL_PACKAGE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
const MIN_GO = [1, 25] as const;
/**
 * SecantusDB's MongoDB-wire server. Its manifest asks for Rust 1.98, which no stable toolchain has
 * yet; it builds with 1.95 (measured), hence --ignore-rust-version. --locked pins its whole
 * dependency tree to the crate's own Cargo.lock.
 */
const SECANTUS_CRATE = { name: 'secantus-mdb', version: '0.5.3-beta.196', bin: 'secantusd-rs' } as const;
const MIN_RUST = [1, 95] as const;

type Toolchain = 'go' | 'cargo';

interface BinarySpec {
  name: string;
  target: string;
  toolchain: Toolchain;
  /** Inputs of the build; a different stamp means the binary is stale. */
  stamp: string;
  /** Toolchain arguments, working directory and extra env; `output` is where the build leaves the binary. */
  command(tmp: string): { args: string[]; cwd?: string; env: NodeJS.ProcessEnv; output: string };
  /** Accept a Go binary built before stamps existed if it provably matches. */
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
      toolchain: 'go',
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
  if (config.mongo.uri) say(`MONGODB_URI is set, skipping the embedded ${EMBEDDED_MONGO_NAMES[config.mongo.embedded]}`);
  else if (config.mongo.embedded === 'secantus') {
    const { name, version, bin } = SECANTUS_CRATE;
    list.push({
      name: bin,
      target: secantusBinary(config.paths.cacheDir),
      toolchain: 'cargo',
      stamp: `crates.io ${name}@${version}`,
      command: (tmp) => ({
        // --root: cargo writes <root>/bin/<bin> and its own metadata files; only the binary is kept.
        args: ['install', name, '--version', version, '--locked', '--ignore-rust-version', '--root', tmp, '--bin', bin],
        // Intermediate files inside tmp too, so an interrupted build leaves nothing elsewhere.
        // <root>/bin on PATH only spares us cargo's advice to put it there.
        env: { CARGO_TARGET_DIR: join(tmp, 'target'), PATH: `${join(tmp, 'bin')}${delimiter}${process.env.PATH ?? ''}` },
        output: join(tmp, 'bin', basename(secantusBinary(config.paths.cacheDir))),
      }),
    });
  } else {
    const moduleDir = ferretdbModuleDir();
    list.push({
      name: 'ferretdb-sb',
      target: ferretdbBinary(config.paths.cacheDir),
      toolchain: 'go',
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

function atLeast(found: readonly number[], min: readonly number[]): boolean {
  return found[0]! > min[0]! || (found[0] === min[0] && found[1]! >= min[1]!);
}

/** The first line of `command args`' output and the major.minor version in it, or undefined if it does not run. */
function probe(command: string, args: string[], pattern = /(\d+)\.(\d+)/): { text: string; version: number[] } | undefined {
  const res = spawnSync(command, args, { encoding: 'utf8' });
  if (res.error || res.status !== 0) return undefined;
  const m = pattern.exec(res.stdout);
  return { text: res.stdout.trim().split('\n')[0]!, version: m ? [Number(m[1]), Number(m[2])] : [0, 0] };
}

/** Why `toolchain` cannot build `names`, or undefined if it can. */
function toolchainProblem(toolchain: Toolchain, names: string[]): string | undefined {
  const need = (what: string) => `${what} is needed to build ${names.join(' and ')}`;
  if (toolchain === 'go') {
    const hint = 'Install it from https://go.dev/dl/ (or set TEMPORAL_ADDRESS to use an external Temporal).';
    const want = `Go >= ${MIN_GO.join('.')}`;
    const go = probe('go', ['version'], /go(\d+)\.(\d+)/);
    if (!go) return `\`go\` was not found or does not run. ${need(want)}. ${hint}`;
    if (!atLeast(go.version, MIN_GO)) return `${need(want)}, found "${go.text}". ${hint}`;
    return undefined;
  }
  const hint =
    'Install Rust from https://rustup.rs and CMake and a C compiler (Debian: `apt-get install cmake build-essential`); ' +
    'or set MONGODB_URI to use an external MongoDB, or EMBEDDED_MONGO=ferretdb to build FerretDB with Go instead.';
  const want = `Rust (cargo) >= ${MIN_RUST.join('.')}`;
  const cargo = probe('cargo', ['--version'], /cargo (\d+)\.(\d+)/);
  if (!cargo) return `\`cargo\` was not found or does not run. ${need(want)}. ${hint}`;
  if (!atLeast(cargo.version, MIN_RUST)) return `${need(want)}, found "${cargo.text}". ${hint}`;
  // The crate compiles WiredTiger, which is C, with CMake.
  const missing = ['cmake', 'cc'].filter((tool) => !probe(tool, ['--version']));
  if (missing.length > 0) return `${missing.map((t) => `\`${t}\``).join(' and ')} not found. ${need('CMake and a C compiler')}. ${hint}`;
  return undefined;
}

function checkToolchains(specs: BinarySpec[]): void {
  const problems: string[] = [];
  for (const toolchain of new Set(specs.map((spec) => spec.toolchain))) {
    const problem = toolchainProblem(toolchain, specs.filter((s) => s.toolchain === toolchain).map((s) => s.name));
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
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

function runBuild(
  toolchain: Toolchain,
  name: string,
  args: string[],
  cwd: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(toolchain, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
      else reject(new Error(`${toolchain} ${args.join(' ')} failed (${signal ?? `exit code ${code}`}):\n${tail.join('\n')}`));
    });
  });
}

export function runSetup(config: Config): Promise<void> {
  return withSetupLock(config.paths.cacheDir, () => setUp(config), say);
}

async function setUp(config: Config): Promise<void> {
  await ensurePythonEnv(config.paths.cacheDir);
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
      checkToolchains([spec]);
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
  // Every missing toolchain is reported at once, before anything is built.
  checkToolchains(goChecked ? todo.filter((spec) => spec.toolchain !== 'go') : todo);
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
      await runBuild(spec.toolchain, spec.name, args, cwd, env);
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
