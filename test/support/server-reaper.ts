import { spawn } from 'node:child_process';

/** What the suite started and must not leave behind, however the run ends. */
export interface OwnedServers {
  /** The embedded PostgreSQL's postmaster (it runs in its own session, so it outlives us). */
  postgresPid?: number;
  pgbouncerPid?: number;
  /** Removed once the servers are gone. */
  dataDir?: string;
}

// A tiny process of its own that outlives a SIGKILL of the run: it polls the
// parent, and when the parent is gone it ends the servers and removes the data.
const WATCHDOG = `
const [parent, postgres, pgbouncer, dir] = process.argv.slice(1).map((v) => (v === '-' ? undefined : v));
const alive = (pid) => { try { process.kill(Number(pid), 0); return true; } catch { return false; } };
const kill = (pid, signal) => { try { if (pid) process.kill(Number(pid), signal); } catch {} };
const timer = setInterval(() => {
  if (alive(parent)) return;
  clearInterval(timer);
  kill(pgbouncer, 'SIGKILL');
  kill(postgres, 'SIGQUIT');
  const started = Date.now();
  const finish = setInterval(() => {
    if (postgres && alive(postgres) && Date.now() - started < 5000) return;
    kill(postgres, 'SIGKILL');
    clearInterval(finish);
    if (dir) require('node:fs').rmSync(dir, { recursive: true, force: true });
  }, 100);
}, 250);
`;

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

/**
 * Makes sure the servers stop when this process ends without reaching global
 * teardown: a crash (uncaught error, `process.exit`), a signal (Ctrl-C, a CI
 * timeout), or SIGKILL, which no handler sees and a watchdog process covers.
 * Returns the function that disarms all of it, for a teardown that stopped
 * the servers itself.
 */
export function reapOnExit(servers: OwnedServers): () => void {
  const killNow = () => {
    for (const [pid, signal] of [
      [servers.pgbouncerPid, 'SIGKILL'],
      // Immediate shutdown: the postmaster ends its backends and exits.
      [servers.postgresPid, 'SIGQUIT'],
    ] as const) {
      try {
        if (pid) process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
  };
  const watchdog = spawn(
    process.execPath,
    [
      '-e',
      WATCHDOG,
      String(process.pid),
      String(servers.postgresPid ?? '-'),
      String(servers.pgbouncerPid ?? '-'),
      servers.dataDir ?? '-',
    ],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();
  const onSignal = (signal: keyof typeof SIGNALS) => {
    killNow();
    // The watchdog removes the data folder once the server has exited.
    process.exit(128 + SIGNALS[signal]);
  };
  const signals = Object.keys(SIGNALS) as (keyof typeof SIGNALS)[];
  for (const signal of signals) process.on(signal, onSignal);
  process.on('exit', killNow);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
    process.off('exit', killNow);
    watchdog.kill('SIGKILL');
  };
}
