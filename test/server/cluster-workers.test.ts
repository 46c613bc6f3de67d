import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { startAppServer, type AppServerProcess } from '../../app/dev/app-server';
import { partitionName } from '../../app/history/partition-sql';
import { sampleValue } from '../support/prometheus-text';
import { useTestDatabase } from '../support/test-database';

const WORKERS = 2;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LogLine {
  msg?: string;
  pid?: number;
  role?: string;
  worker?: number;
  workerPid?: number;
  req?: { url?: string };
}

function logLines(server: AppServerProcess): LogLine[] {
  return server
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

async function waitForLog(
  server: AppServerProcess,
  found: (lines: LogLine[]) => boolean,
  what: string,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!found(logLines(server))) {
    if (Date.now() > deadline)
      throw new Error(`${what}: not seen in ${timeoutMs} ms\n${server.stderr()}`);
    await sleep(100);
  }
}

/** The pids of the workers the primary reported serving, in order. */
const servingPids = (server: AppServerProcess) =>
  logLines(server)
    .filter((line) => line.msg === 'worker serving')
    .map((line) => line.workerPid!);

/** A GET on a connection of its own, so the primary hands it to the next worker. */
function getOnNewConnection(base: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}${path}`, { agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

async function startCluster(env: Record<string, string | undefined>): Promise<AppServerProcess> {
  const server = await startAppServer({ WEB_CONCURRENCY: String(WORKERS), ...env });
  await waitForLog(
    server,
    (lines) => lines.some((line) => line.msg === 'every worker serving'),
    'every worker serving',
  );
  return server;
}

describe('Cluster workers (WEB_CONCURRENCY=2)', function () {
  this.timeout(240_000);
  const db = useTestDatabase('latest');
  let server: AppServerProcess | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('when one worker is killed under load, the other serves on, a new worker replaces it, and no request gets a 5xx', async () => {
    server = await startCluster({ DATABASE_URL: db.current.url, LOG_LEVEL: 'info' });
    const base = server.base;
    const register = await fetch(`${base}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'loader',
        email: 'l@example.test',
        password: 'long enough pw',
      }),
    });
    expect(register.status).to.equal(201);
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'loader', password: 'long enough pw' }),
    });
    const { token } = (await login.json()) as { token: string };

    // CONCURRENCY clients, each on one kept-alive connection at a time.
    const CONCURRENCY = 8;
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const outcomes: Array<{ at: number; status: number | 'error' }> = [];
    let loading = true;
    const client = async () => {
      while (loading) {
        const status = await new Promise<number | 'error'>((resolve) => {
          const req = http.get(
            `${base}/api/campaigns`,
            { agent, headers: { authorization: `Bearer ${token}` } },
            (res) => {
              res.resume();
              // A response the kill cuts off closes without 'end' (and, on
              // some versions, without 'error'): 'close' sees every ending.
              res.on('close', () => resolve(res.complete ? (res.statusCode ?? 0) : 'error'));
            },
          );
          // No request may hang the test: one that gets no answer is a failure.
          req.setTimeout(15_000, () => req.destroy(new Error('no answer in 15 s')));
          req.on('error', () => resolve('error'));
        });
        outcomes.push({ at: Date.now(), status });
      }
    };
    const clients = Array.from({ length: CONCURRENCY }, client);
    try {
      await sleep(1_500);
      const [victim, survivor] = servingPids(server);
      const killedAt = Date.now();
      process.kill(victim!, 'SIGKILL');
      await waitForLog(
        server,
        () => servingPids(server!).length > WORKERS,
        'a replacement worker serving',
      );
      const replacedAt = Date.now();
      const replacement = servingPids(server).at(-1)!;
      await sleep(1_000);
      loading = false;
      await Promise.all(clients);

      expect(replacement).to.not.equal(victim);
      expect(() => process.kill(victim!, 0), 'the killed worker is gone').to.throw();
      expect(() => process.kill(survivor!, 0), 'the other worker still runs').to.not.throw();
      const serverErrors = outcomes.filter((o) => o.status !== 'error' && o.status >= 500);
      expect(serverErrors, 'no 5xx at all').to.deep.equal([]);
      // Only a request in flight on the killed worker's connections can fail: one per client at most.
      const failed = outcomes.filter((o) => o.status === 'error');
      expect(failed.length).to.be.at.most(CONCURRENCY);
      const servedMeanwhile = outcomes.filter(
        (o) => o.status === 200 && o.at > killedAt && o.at < replacedAt,
      );
      expect(
        servedMeanwhile.length,
        'answers between the kill and the replacement',
      ).to.be.greaterThan(0);
      expect(
        outcomes.filter((o) => o.status === 200 && o.at > replacedAt).length,
      ).to.be.greaterThan(0);
      // The replacement takes its share of new connections.
      const statuses = await Promise.all(
        Array.from({ length: 6 }, () => getOnNewConnection(base, '/health/live')),
      );
      expect(statuses).to.deep.equal(Array(6).fill(200));
      const livePids = logLines(server)
        .filter((line) => line.req?.url === '/health/live')
        .map((line) => line.pid);
      expect(livePids).to.include(replacement);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(sampleValue(metrics, 'gma_cluster_worker_restarts_total')).to.equal(1);
      expect(sampleValue(metrics, 'gma_cluster_workers')).to.equal(WORKERS);
    } finally {
      loading = false;
      await Promise.all(clients);
      agent.destroy();
    }
  });

  it("when /metrics is scraped, it shows the sum of every worker's figures and the process metrics", async () => {
    server = await startCluster({ DATABASE_URL: db.current.url, LOG_LEVEL: 'info' });
    const REQUESTS = 12;
    for (let i = 0; i < REQUESTS; i++) {
      expect(await getOnNewConnection(server.base, '/health/live')).to.equal(200);
    }
    const byWorker = new Map<number, number>();
    for (const line of logLines(server).filter((l) => l.req?.url === '/health/live')) {
      byWorker.set(line.pid!, (byWorker.get(line.pid!) ?? 0) + 1);
    }
    // Both workers answered some: a scrape of one worker alone would show fewer.
    expect([...byWorker.values()], 'requests by worker').to.have.length(WORKERS);

    const text = await (await fetch(`${server.base}/metrics`)).text();
    expect(
      sampleValue(text, 'http_requests_total', { route: '/health/live', status: '200' }),
    ).to.equal(REQUESTS);
    expect(sampleValue(text, 'gma_cluster_workers')).to.equal(WORKERS);
    expect(sampleValue(text, 'gma_cluster_workers_configured')).to.equal(WORKERS);
    for (const name of [
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_active_handles_total',
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
    ]) {
      expect(sampleValue(text, name), name).to.be.a('number').and.not.NaN;
    }
    expect(text).to.match(/^# TYPE nodejs_gc_duration_seconds histogram$/m);
  });

  it('when the partitions ahead are missing, the primary alone makes them, once for the machine', async () => {
    const now = new Date();
    const missing = partitionName(
      new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1)),
    );
    await db.current.sequelize.query(`DROP TABLE ${missing}`);

    server = await startCluster({
      DATABASE_URL: db.current.url,
      LOG_LEVEL: 'debug',
      MIGRATE_ON_START: 'false',
    });

    const [row] = await db.current.sequelize.query<{ found: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS found',
      { bind: [missing], type: QueryTypes.SELECT },
    );
    expect(row!.found).to.equal(true);
    const runs = logLines(server).filter((line) => line.msg === 'history partitions ahead checked');
    const primary = logLines(server).find((line) => line.role === 'primary')!.pid;
    expect(runs.map((line) => line.pid)).to.deep.equal([primary]);
  });

  it('when failed logins reach the limit through different workers, the next one is refused by any worker', async () => {
    server = await startCluster({
      DATABASE_URL: db.current.url,
      LOG_LEVEL: 'info',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
    });
    const attempt = () =>
      new Promise<number>((resolve, reject) => {
        const body = JSON.stringify({ username: 'nobody', password: 'wrong password' });
        const req = http.request(
          `${server!.base}/api/auth/login`,
          {
            method: 'POST',
            agent: false,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push(await attempt());
    expect(statuses).to.deep.equal([401, 401, 401, 429, 429]);
    const workers = new Set(
      logLines(server)
        .filter((line) => line.req?.url === '/api/auth/login')
        .map((line) => line.pid),
    );
    expect(workers.size, 'the attempts reached both workers').to.equal(WORKERS);
  });

  describe('without a database of its own', () => {
    let dataDir = '';
    beforeEach(() => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-cluster-'));
      fs.chmodSync(dataDir, 0o755);
    });
    afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

    it('when SIGTERM reaches the primary during a request, the request completes, every worker and the embedded PostgreSQL stop, and it exits 0', async () => {
      server = await startCluster({
        DATABASE_URL: undefined,
        GMA_DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
      });
      const workers = servingPids(server);
      const body = JSON.stringify({
        username: 'latecomer',
        email: 'l@example.test',
        password: 'long enough pw',
      });
      const answer = new Promise<number>((resolve, reject) => {
        const req = http.request(
          `${server!.base}/api/auth/register`,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 10));
        setTimeout(() => {
          process.kill(server!.pid, 'SIGTERM');
          setTimeout(() => req.end(body.slice(10)), 500);
        }, 300);
      });
      expect(await answer, server.stderr()).to.equal(201);
      expect(await server.exited, server.stderr()).to.equal(0);
      for (const pid of workers) expect(() => process.kill(pid, 0), `worker ${pid}`).to.throw();
      expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).to.equal(false);
    });
  });

  it('when the port is taken, a worker cannot listen and the server stops with exit 1, naming the port', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      server = await startAppServer({
        WEB_CONCURRENCY: String(WORKERS),
        DATABASE_URL: db.current.url,
        PORT: String(port),
        LOG_LEVEL: 'warn',
      });
      expect(await server.exited).to.equal(1);
      expect(server.stderr()).to.include(`port ${port}`);
      expect(server.stderr()).to.match(/stopped during start-up/);
    } finally {
      blocker.close();
    }
  });
});
