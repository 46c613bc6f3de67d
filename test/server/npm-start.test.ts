import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { freePort } from '../../app/db/embedded-postgres';
import { PROJECT_ROOT } from '../support/run-command';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Proc {
  pid: number;
  cmdline: string;
}

/** Every process on the machine, with its parent and command line, read from /proc. */
function processTable(): Array<Proc & { ppid: number }> {
  const table: Array<Proc & { ppid: number }> = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      table.push({ pid: Number(entry), ppid, cmdline });
    } catch {
      // The process ended while the table was read.
    }
  }
  return table;
}

/**
 * What `npm start` runs: every descendant of `root`, and the PostgreSQL
 * processes of the data folder (the embedded server detaches from its parent).
 */
function processesOf(root: number, dataDir: string): Proc[] {
  const table = processTable();
  const found = new Map<number, Proc>();
  let frontier = [root];
  while (frontier.length > 0) {
    const children = table.filter((p) => frontier.includes(p.ppid) && !found.has(p.pid));
    for (const child of children) found.set(child.pid, child);
    frontier = children.map((p) => p.pid);
  }
  for (const p of table) if (p.cmdline.includes(dataDir)) found.set(p.pid, p);
  return [...found.values()];
}

/** The processes of `list` still running (same pid and same command line). */
function survivors(list: Proc[]): Proc[] {
  return list.filter((p) => {
    try {
      return fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').replace(/\0/g, ' ') === p.cmdline;
    } catch {
      return false;
    }
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function waitForLive(port: number, exited: () => boolean, log: () => string) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited()) throw new Error(`npm start exited before it served: ${log()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health/live`).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`npm start did not serve in 90 s: ${log()}`);
    await sleep(200);
  }
}

describe('npm start and stop signals', function () {
  this.timeout(180_000);
  // One embedded cluster for both signals: the second start skips initdb and migrations.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-npm-start-'));
  fs.chmodSync(dataDir, 0o755);
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`when ${signal} is sent to the npm start process alone, the server and the embedded PostgreSQL stop and no process of it survives`, async () => {
      const port = await freePort();
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        GMA_DATA_DIR: dataDir,
        PORT: String(port),
        LOG_LEVEL: 'warn',
      };
      delete env.DATABASE_URL;
      // detached: its own process group, so that only the signal below reaches it.
      const npm = spawn('npm', ['start'], {
        cwd: PROJECT_ROOT,
        env,
        stdio: 'pipe',
        detached: true,
      });
      let output = '';
      npm.stdout.on('data', (c: Buffer) => (output += c.toString()));
      npm.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const exited = new Promise<number | null>((resolve) => npm.on('exit', resolve));
      let started: Proc[] = [];
      try {
        await waitForLive(
          port,
          () => npm.exitCode !== null,
          () => output,
        );
        started = processesOf(npm.pid!, dataDir);
        expect(started.map((p) => p.cmdline).join('\n')).to.match(/postgres/);
        expect(started.map((p) => p.cmdline).join('\n')).to.match(/app\/server\.ts/);

        process.kill(npm.pid!, signal);
        const code = await Promise.race([exited, sleep(30_000).then(() => 'timeout' as const)]);
        expect(code, output).to.not.equal('timeout');
        // Whatever the parent waited for or not, nothing may be left a moment later.
        const deadline = Date.now() + 3_000;
        while (survivors(started).length > 0 && Date.now() < deadline) await sleep(100);
        expect(survivors(started).map((p) => `${p.pid} ${p.cmdline}`)).to.deep.equal([]);
        expect(await portOpen(port)).to.equal(false);
        expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).to.equal(false);
      } finally {
        // A failed run must not leave its processes behind either.
        for (const p of survivors(started)) process.kill(p.pid, 'SIGTERM');
        await sleep(survivors(started).length > 0 ? 5_000 : 0);
        for (const p of survivors(started)) process.kill(p.pid, 'SIGKILL');
        if (npm.exitCode === null) npm.kill('SIGKILL');
      }
    });
  }
});
