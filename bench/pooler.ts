// Costs of running behind PgBouncer: the migrator's pooler check at start
// (direct, through a session-mode pool, and the refusal through a
// transaction-mode pool), and HTTP write throughput of the API with its
// DATABASE_URL direct vs through PgBouncer in transaction mode.
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import pg from 'pg';
import { createApp } from '../app/app';
import { loadConfig } from '../app/config';
import { withAdvisoryLock } from '../app/db/advisory-lock';
import { assertOwnSession } from '../app/db/session-check';
import { createSequelize } from '../app/db/sequelize';
import { createLogger } from '../app/logger';
import { initModels } from '../models';
import { startPgBouncer } from '../app/dev/pgbouncer';
import { startBenchServer } from './support/bench-server';
import { migrate } from './support/datasets';
import { envInt, machineLine, msSince, printTable, quantile } from './support/report';
import { postJson } from './support/api';

const DATABASE = 'bench_pooler';

function onPooler(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

/** Time of the pooler check alone, on an open connection; and of a whole lock acquire + release. */
async function timeCheck(url: string, runs: number) {
  const check: number[] = [];
  const lock: number[] = [];
  let refused = 0;
  for (let i = 0; i < runs; i++) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const started = process.hrtime.bigint();
    await assertOwnSession(client, { connectionString: url }).catch(() => refused++);
    check.push(msSince(started));
    await client.end();
    const lockStarted = process.hrtime.bigint();
    await withAdvisoryLock(url, async () => undefined).catch(() => undefined);
    lock.push(msSince(lockStarted));
  }
  return { check, lock, refused };
}

/** The API on a real port over `url`; a user, a campaign; returns the autocannon request. */
async function startApi(url: string, user: string) {
  const sequelize = createSequelize(url, { pool: { max: 10 } });
  initModels(sequelize);
  const config = {
    ...loadConfig({ ...process.env, NODE_ENV: 'production' }),
    passwordScryptLogN: 10,
  };
  const app = createApp({ sequelize, logger: createLogger('silent'), config });
  const http = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => http.once('listening', resolve));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const password = 'correct horse battery';
  await postJson(base, '/api/auth/register', {
    username: user,
    email: `${user}@example.test`,
    password,
  });
  const { token } = (await postJson(base, '/api/auth/login', { username: user, password })) as {
    token: string;
  };
  const { id: campaignId } = await postJson(base, '/api/campaigns', { name: user }, token);
  return {
    base,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ campaignId, name: 'bench item', description: 'x' }),
    async close() {
      await new Promise((resolve) => http.close(resolve));
      await sequelize.close();
    },
  };
}

async function main(): Promise<void> {
  const runs = envInt('BENCH_POOLER_RUNS', 30);
  const seconds = envInt('BENCH_HTTP_SECONDS', 5);
  const rounds = envInt('BENCH_HTTP_ROUNDS', 2);
  const connections = envInt('BENCH_HTTP_CONNECTIONS', 8);
  const server = await startBenchServer();
  await server.admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await server.admin(`CREATE DATABASE ${DATABASE}`);
  await migrate(server, DATABASE);
  const serverUrl = new URL(server.url(DATABASE));
  serverUrl.pathname = '/';
  const transaction = await startPgBouncer(serverUrl.toString(), 'transaction');
  const session = await startPgBouncer(serverUrl.toString(), 'session');
  try {
    console.log(`## Behind PgBouncer 1.18: the migrator's pooler check, and HTTP writes\n`);
    const targets: Array<[string, string]> = [
      ['direct', server.url(DATABASE)],
      ['PgBouncer, session mode', onPooler(session.serverUrl)],
      ['PgBouncer, transaction mode', onPooler(transaction.serverUrl)],
    ];
    const rows: Array<Array<string | number>> = [];
    for (const [name, url] of targets) {
      const { check, lock, refused } = await timeCheck(url, runs);
      rows.push([
        name,
        `${quantile(check, 0.5).toFixed(1)} ms`,
        `${quantile(check, 0.95).toFixed(1)} ms`,
        `${quantile(lock, 0.5).toFixed(1)} ms`,
        `${refused} of ${runs}`,
      ]);
    }
    printTable(['connection', 'check p50', 'check p95', 'lock + release p50', 'refused'], rows);

    const apis = {
      direct: await startApi(server.url(DATABASE), 'direct'),
      'PgBouncer, transaction mode': await startApi(onPooler(transaction.serverUrl), 'pooled'),
    };
    const best = new Map<string, autocannon.Result>();
    for (let round = 0; round < rounds; round++) {
      for (const [name, api] of Object.entries(apis)) {
        console.error(`round ${round + 1}: POST /api/items, ${name}...`);
        const result = await autocannon({
          url: api.base,
          connections,
          duration: seconds,
          headers: api.headers,
          requests: [{ method: 'POST', path: '/api/items', body: api.body }],
        });
        const previous = best.get(name);
        if (!previous || result.requests.average > previous.requests.average)
          best.set(name, result);
      }
    }
    const direct = best.get('direct')!.requests.average;
    printTable(
      ['POST /api/items', 'req/s', 'p50', 'p99', 'non-2xx', 'vs direct'],
      [...best].map(([name, r]) => [
        name,
        Math.round(r.requests.average),
        `${r.latency.p50} ms`,
        `${r.latency.p99} ms`,
        r.non2xx + r.errors,
        `${((r.requests.average / direct - 1) * 100).toFixed(1)} %`,
      ]),
    );
    console.log(
      `check: ${runs} runs each, on an open connection; HTTP: ${connections} connections, ${seconds} s, best of ${rounds} alternating rounds`,
    );
    console.log(machineLine(server.version));
    for (const api of Object.values(apis)) await api.close();
  } finally {
    await transaction.stop();
    await session.stop();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
