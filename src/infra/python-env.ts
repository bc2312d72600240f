import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * A Python virtualenv in the cache dir with the pinned outside clients the test suites drive the
 * API with (Bland's own `bland` package, Schemathesis). See docs/clients.md.
 */

const say = (line: string): void => void process.stdout.write(`setup: ${line}\n`);

const exe = process.platform === 'win32' ? '.exe' : '';

export function pythonEnvDir(cacheDir: string): string {
  return join(cacheDir, 'python-env');
}

/** The virtualenv's interpreter, which the client suites spawn. */
export function venvPython(cacheDir: string): string {
  return process.platform === 'win32'
    ? join(pythonEnvDir(cacheDir), 'Scripts', `python${exe}`)
    : join(pythonEnvDir(cacheDir), 'bin', 'python');
}

/** Under tsx this file is in src/infra; a tsc build moves it to dist/src/infra. */
export function requirementsFile(): string {
  const candidates = [resolve(__dirname, '../../test/clients/requirements.txt'), resolve(__dirname, '../../../test/clients/requirements.txt')];
  return candidates.find((file) => existsSync(file)) ?? candidates[0]!;
}

const stampPath = (cacheDir: string): string => join(pythonEnvDir(cacheDir), '.requirements.stamp');

function probePython(python: string): string | undefined {
  // `venv` and `ensurepip` are separate Debian packages (python3-venv); check both, not just the interpreter.
  const res = spawnSync(python, ['-c', 'import sys, venv, ensurepip; print(sys.version.split()[0])'], { encoding: 'utf8' });
  if (res.error || res.status !== 0) return undefined;
  const version = res.stdout.trim();
  const [major, minor] = version.split('.').map(Number);
  return major === 3 && minor! >= 9 ? version : undefined;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        tail.push(line);
        if (tail.length > 30) tail.shift();
      });
    }
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit code ${code}`}):\n${tail.join('\n')}`));
    });
  });
}

/**
 * Creates the virtualenv and installs the pinned requirements, unless the stamp (a hash of the
 * requirements file and the interpreter's version) says it already holds them. The stamp is
 * written last, so an interrupted install is redone from scratch next time.
 */
export async function ensurePythonEnv(cacheDir: string, python = 'python3'): Promise<void> {
  const requirements = requirementsFile();
  const dir = pythonEnvDir(cacheDir);
  const version = probePython(python);
  if (!version) {
    throw new Error(
      `\`${python}\` (Python >= 3.9 with venv) was not found or cannot create virtualenvs; the API client test suites need it. ` +
        'Install it (Debian: `apt-get install python3 python3-venv`).',
    );
  }
  const stamp = `python ${version}\nsha256:${createHash('sha256').update(readFileSync(requirements)).digest('hex')}`;
  let current: string | undefined;
  try {
    current = readFileSync(stampPath(cacheDir), 'utf8').trim();
  } catch {
    current = undefined;
  }
  if (current === stamp && existsSync(venvPython(cacheDir))) {
    say(`python test clients are up to date (${dir})`);
    return;
  }
  const started = Date.now();
  say(`installing the python test clients from ${requirements} into ${dir}…`);
  rmSync(dir, { recursive: true, force: true });
  await run(python, ['-m', 'venv', dir]);
  await run(venvPython(cacheDir), ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', '-r', requirements]);
  writeFileSync(stampPath(cacheDir), `${stamp}\n`);
  say(`installed the python test clients in ${Math.round((Date.now() - started) / 1000)}s`);
}
