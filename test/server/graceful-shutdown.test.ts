import { spawn } from 'node:child_process';
import http from 'node:http';
import { expect } from 'chai';
import { freePort } from '../../app/db/embedded-postgres';
import { startAppServer } from '../../app/dev/app-server';
import { PROJECT_ROOT } from '../support/run-command';
import { useTestDatabase } from '../support/test-database';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForHealth(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await sleep(200);
  }
}

describe('Graceful shutdown', () => {
  const db = useTestDatabase('latest');

  it('when SIGTERM arrives during a request, the request still completes and is saved, then the process exits 0', async () => {
    const port = await freePort();
    const env = {
      ...process.env,
      DATABASE_URL: db.current.url,
      PORT: String(port),
      LOG_LEVEL: 'silent',
    };
    const server = spawn(process.execPath, ['--import', 'tsx', 'app/server.ts'], {
      cwd: PROJECT_ROOT,
      env,
      stdio: 'pipe',
    });
    let stderr = '';
    server.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let exitedAt = 0;
    const exited = new Promise<number | null>((resolve) =>
      server.on('close', (code) => {
        exitedAt = Date.now();
        resolve(code);
      }),
    );
    try {
      await waitForHealth(port, 45_000);
      // A request whose body is still arriving when the signal comes.
      const body = JSON.stringify({
        username: 'latecomer',
        email: 'l@example.test',
        password: 'long enough pw',
      });
      const response = new Promise<{ status: number; at: number }>((resolve, reject) => {
        const req = http.request(
          {
            port,
            host: '127.0.0.1',
            method: 'POST',
            path: '/api/auth/register',
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, at: Date.now() }));
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 10));
        setTimeout(() => {
          server.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(10)), 500);
        }, 300);
      });
      const { status, at } = await response;
      expect(status, stderr).to.equal(201);
      expect(await exited, stderr).to.equal(0);
      expect(exitedAt).to.be.at.least(at);
      // Not cut off by the 10 s grace timer: the server closes as soon as it is idle.
      expect(exitedAt - at).to.be.below(5000);
      const [rows] = await db.current.sequelize.query(
        "SELECT username FROM users WHERE username = 'latecomer'",
      );
      expect(rows).to.deep.equal([{ username: 'latecomer' }]);
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('when SIGTERM arrives with SHUTDOWN_DELAY_MS set, readiness fails at once while requests are still served, and the process exits after the delay', async () => {
    const server = await startAppServer({
      DATABASE_URL: db.current.url,
      LOG_LEVEL: 'silent',
      SHUTDOWN_DELAY_MS: '1500',
    });
    try {
      await server.ready();
      await fetch(`${server.base}/health/ready`).then((res) => expect(res.status).to.equal(200));
      const signalledAt = Date.now();
      process.kill(server.pid, 'SIGTERM');
      await sleep(200);
      const ready = await fetch(`${server.base}/health/ready`);
      expect(ready.status).to.equal(503);
      expect(await ready.json()).to.include({ status: 'error', reason: 'shutting_down' });
      expect((await fetch(`${server.base}/health`)).status).to.equal(503);
      expect((await fetch(`${server.base}/health/live`)).status).to.equal(200);
      const register = await fetch(`${server.base}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username: 'draining',
          email: 'd@example.test',
          password: 'long enough pw',
        }),
      });
      expect(register.status, server.stderr()).to.equal(201);
      expect(await server.exited, server.stderr()).to.equal(0);
      expect(Date.now() - signalledAt).to.be.at.least(1500);
      const [rows] = await db.current.sequelize.query(
        "SELECT username FROM users WHERE username = 'draining'",
      );
      expect(rows).to.have.length(1);
    } finally {
      await server.stop();
    }
  });
});
