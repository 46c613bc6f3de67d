import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { PROJECT_ROOT } from '../support/run-command';

const MOCHA = path.join(PROJECT_ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
const FIXTURE = path.join('test', 'suite', 'fixtures', 'ends-abruptly.ts');

interface Servers {
  server: string;
  pgbouncer: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether something accepts connections on the URL's port. */
function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The URLs that still answer after `ms`, polling: none once the servers stopped. */
async function stillListening(servers: Servers, ms: number): Promise<string[]> {
  const urls = [servers.server, servers.pgbouncer];
  const deadline = Date.now() + ms;
  for (;;) {
    const open: string[] = [];
    for (const url of urls) if (await listening(url)) open.push(url);
    if (open.length === 0 || Date.now() > deadline) return open;
    await sleep(200);
  }
}

/**
 * Runs the fixture under the suite's own config, on an embedded PostgreSQL
 * of its own, and returns where its servers listened once `end` was applied.
 */
async function runAndEnd(
  ending: 'crash' | 'hang',
  end: (pid: number) => void,
): Promise<{
  servers: Servers;
  /** Whether PostgreSQL and PgBouncer answered before the end. */
  before: boolean[];
  code: number | null;
  signal: NodeJS.Signals | null;
}> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-teardown-test-'));
  const report = path.join(dir, 'servers.json');
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, GMA_FIXTURE_REPORT: report };
    env.GMA_FIXTURE_ENDING = ending;
    delete env.TEST_DATABASE_URL;
    const child = spawn(process.execPath, [MOCHA, '--reporter', 'dot', FIXTURE], {
      cwd: PROJECT_ROOT,
      env,
      stdio: 'ignore',
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    for (let waited = 0; !fs.existsSync(report); waited += 100) {
      if (child.exitCode !== null) throw new Error(`mocha exited (${child.exitCode}) early`);
      if (waited > 120_000) throw new Error('the fixture never reported its servers');
      await sleep(100);
    }
    const servers = JSON.parse(fs.readFileSync(report, 'utf8')) as Servers;
    const before = [await listening(servers.server), await listening(servers.pgbouncer)];
    fs.writeFileSync(`${report}.go`, '');
    await sleep(200);
    end(child.pid!);
    return { servers, before, ...(await exited) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('The suite leaves no server behind', function () {
  this.timeout(180_000);

  it('when a test ends the run with process.exit before global teardown, its PostgreSQL and PgBouncer stop with it', async () => {
    const { servers, before, code } = await runAndEnd('crash', () => undefined);
    expect(before).to.deep.equal([true, true]);
    expect(code).to.equal(3);
    expect(await stillListening(servers, 10_000)).to.deep.equal([]);
  });

  it('when a hanging run is killed with SIGKILL, which no handler sees, its PostgreSQL and PgBouncer are stopped all the same', async () => {
    const { servers, before, signal } = await runAndEnd('hang', (pid) =>
      process.kill(pid, 'SIGKILL'),
    );
    expect(before).to.deep.equal([true, true]);
    expect(signal).to.equal('SIGKILL');
    expect(await stillListening(servers, 15_000)).to.deep.equal([]);
  });
});
