import fs from 'node:fs';

// CPU time of processes from /proc (Linux), to weigh a request's cost by
// the CPU it used rather than by throughput, which the machine's other load
// moves far more than the differences measured.

const TICK_MS = 10; // USER_HZ is 100 on Linux

interface ProcStat {
  ppid: number;
  /** utime + stime, ms */
  own: number;
  /** cutime + cstime: children already exited and waited for, ms */
  reaped: number;
}

function stat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited meanwhile
  }
  // Fields after the command name (which may hold spaces), from "state".
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const n = (i: number) => Number(fields[i]);
  return { ppid: n(1), own: (n(11) + n(12)) * TICK_MS, reaped: (n(13) + n(14)) * TICK_MS };
}

/** CPU ms used so far by process `pid`. */
export function processCpuMs(pid: number): number {
  return stat(pid)?.own ?? NaN;
}

/** CPU ms used so far by `pid` and all its children, live or exited (a PostgreSQL postmaster and its backends). */
export function processTreeCpuMs(pid: number): number {
  const root = stat(pid);
  if (!root) return NaN;
  let total = root.own + root.reaped;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = stat(Number(entry));
    if (child?.ppid === pid) total += child.own;
  }
  return total;
}

/** The parent of `pid` (a backend's postmaster). */
export function parentPid(pid: number): number {
  const s = stat(pid);
  if (!s) throw new Error(`no process ${pid}`);
  return s.ppid;
}
