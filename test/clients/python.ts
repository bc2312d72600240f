import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { venvPython } from '../../src/infra/python-env';

export interface PythonRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The virtualenv `npm run setup` builds from test/clients/requirements.txt. */
export function clientsPython(): string {
  const python = venvPython(loadConfig(process.env).paths.cacheDir);
  if (!existsSync(python)) throw new Error(`${python} does not exist: run \`npm run setup\`, which installs the python test clients`);
  return python;
}

export const clientsDir = __dirname;
export const clientsScript = (name: string): string => join(__dirname, name);

/** Runs the virtualenv's python with `args` in test/clients; kills it after `timeoutMs`. */
export function runPython(args: string[], env: Record<string, string>, timeoutMs: number): Promise<PythonRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(clientsPython(), args, {
      cwd: __dirname,
      env: { ...process.env, PYTHONPATH: __dirname, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
