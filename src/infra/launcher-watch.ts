import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** "pid (comm) state ppid …": comm may hold spaces, so fields are counted from its closing parenthesis. */
function statFields(pid: number | 'self'): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  const fields = statFields(pid);
  return fields !== null && fields[0] !== 'Z';
}

/**
 * Is this process npm itself? npm sets its process title ("npm start"), which replaces its command
 * line with one string; an unrenamed one reads `node …/npm-cli.js start`.
 */
function isNpm(pid: number): boolean {
  try {
    const words = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/).slice(0, 2).map((a) => basename(a));
    return words.some((a) => a === 'npm' || a === 'npm-cli.js');
  } catch {
    return false;
  }
}

/** The nearest ancestor that is npm, when this process was started by an npm script (Linux /proc); else null. */
function npmAncestor(): number | null {
  if (!process.env.npm_lifecycle_event) return null;
  let pid = Number(statFields('self')?.[1]);
  for (let depth = 0; depth < 8 && pid > 1; depth += 1) {
    if (isNpm(pid)) return pid;
    pid = Number(statFields(pid)?.[1]);
  }
  return null;
}

/**
 * `npm start` runs this process as npm → sh → tsx → node. A `kill -9` of npm, the process the
 * user started, reaches none of them, since SIGKILL cannot be forwarded, and would leave the whole
 * system running without a way to stop it but by pid. So the npm process is watched, and `onGone`
 * is called once it has died. Started otherwise (`tsx src/dev.ts`, or outside Linux), nothing is watched.
 */
export function watchLauncher(onGone: () => void, intervalMs = 1000): void {
  const npm = npmAncestor();
  if (npm === null) return;
  const timer = setInterval(() => {
    if (alive(npm)) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
}
