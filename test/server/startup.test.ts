import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { freePort } from '../../app/db/embedded-postgres';
import { PROJECT_ROOT, runCommand } from '../support/run-command';
import { useTestDatabase } from '../support/test-database';

function startServer(env: Record<string, string>) {
  return runCommand(
    process.execPath,
    ['--import', 'tsx', 'app/server.ts'],
    { DATABASE_URL: undefined, ...env },
    60_000,
  );
}

async function waitForHealth(port: number, timeoutMs: number): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      return await res.json();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('Server start-up', () => {
  describe('with a bad configuration', () => {
    it('when DATABASE_URL is malformed, stops with one line naming DATABASE_URL', async () => {
      const result = await startServer({ DATABASE_URL: 'postgres//oops' });
      expect(result.code).to.equal(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).to.have.length(1);
      expect(lines[0]).to.match(/DATABASE_URL/);
    });

    it('when the database cannot be reached, stops with one line saying what to check', async () => {
      const port = await freePort();
      const result = await startServer({ DATABASE_URL: `postgres://u:p@127.0.0.1:${port}/gma` });
      expect(result.code).to.equal(1);
      expect(result.stderr.trim().split('\n')).to.have.length(1);
      expect(result.stderr).to.match(/Cannot connect to PostgreSQL.*DATABASE_URL/);
      expect(result.stderr).to.not.include(':p@', 'password is hidden');
    });

    describe('when the port is taken', () => {
      const db = useTestDatabase('latest');

      it('stops with one line naming the port', async () => {
        const blocker = net.createServer();
        await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
        const { port } = blocker.address() as net.AddressInfo;
        try {
          const result = await startServer({ DATABASE_URL: db.current.url, PORT: String(port) });
          expect(result.code).to.equal(1);
          expect(result.stderr.trim().split('\n')).to.have.length(1);
          expect(result.stderr).to.include(`port ${port}`);
        } finally {
          blocker.close();
        }
      });
    });
  });

  it('when DATABASE_URL is unset, runs the embedded PostgreSQL, migrates, serves /health, and stops cleanly on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-start-'));
    fs.chmodSync(dataDir, 0o755);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, GMA_DATA_DIR: dataDir, PORT: String(port) };
    env.LOG_LEVEL = 'warn';
    delete env.DATABASE_URL;
    const server = spawn(process.execPath, ['--import', 'tsx', 'app/server.ts'], {
      cwd: PROJECT_ROOT,
      env,
      stdio: 'pipe',
    });
    let stderr = '';
    server.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => server.on('close', resolve));
    try {
      const health = await waitForHealth(port, 45_000);
      expect(health).to.deep.equal({ status: 'ok', database: 'ok', pendingMigrations: 0 });
      const state = JSON.parse(
        fs.readFileSync(path.join(dataDir, 'embedded-postgres.json'), 'utf8'),
      );
      expect(state.pid).to.be.a('number');
      server.kill('SIGTERM');
      expect(await exited, stderr).to.equal(0);
      // pg_ctl stop -w returns once the server has removed its pid file.
      expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).to.equal(false);
    } finally {
      server.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
