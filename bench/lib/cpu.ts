import { readFileSync } from 'node:fs';

/** CPU seconds used so far by each party: where the time goes on a small machine, all of it shared. */
export type CpuSnapshot = Record<string, number>;

// USER_HZ: the unit of /proc/<pid>/stat times; 100 on every mainstream Linux build.
const TICKS_PER_SECOND = 100;

function procCpuSeconds(pid: number): number {
  try {
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the line.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN; // not Linux, or the process is gone
  }
}

export function cpuSnapshot(children: Record<string, number>): CpuSnapshot {
  const own = process.cpuUsage();
  const snap: CpuSnapshot = { 'node (API, worker, simulator, model)': (own.user + own.system) / 1e6 };
  for (const [name, pid] of Object.entries(children)) snap[name] = procCpuSeconds(pid);
  return snap;
}

/** CPU seconds per party between two snapshots, as "name 12.3 s (45%)" over the wall time given. */
export function formatCpu(before: CpuSnapshot, after: CpuSnapshot, wallMs: number): string {
  return Object.keys(after)
    .map((k) => {
      const s = after[k]! - before[k]!;
      return `${k} ${s.toFixed(1)} s (${Math.round((s / (wallMs / 1000)) * 100)}% of a core)`;
    })
    .join(', ');
}
