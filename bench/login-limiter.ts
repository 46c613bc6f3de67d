// Login throughput with the shared PostgreSQL limiter against the in-memory
// one the app had before: successful logins (right password, production
// scrypt cost 2^15) through the real API on a real port, driven by
// autocannon. The two alternate in short runs, many rounds, and the totals
// are compared, so that load drifting on a shared machine hits both alike.
// Then the parts on their own: one reserve + release of the shared limiter
// (four small statements, two at a time) against one scrypt hash.
//   npm run bench:login   (BENCH_LOGIN_SECONDS 2 per run, BENCH_LOGIN_ROUNDS 6, BENCH_LOGIN_CONNECTIONS 4)
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { createApp } from '../app/app';
import { hashPassword } from '../app/auth/password';
import { loadConfig } from '../app/config';
import { AuthRateLimiter, limitsFromConfig } from '../app/services/auth-rate-limiter';
import { createSequelize } from '../app/db/sequelize';
import { createLogger } from '../app/logger';
import { initModels } from '../models';
import { startBenchServer } from './support/bench-server';
import { migrate } from './support/datasets';
import { InMemoryLoginLimiter } from './support/in-memory-login-limiter';
import { envInt, machineLine, msSince, printTable, quantile } from './support/report';

const USERS = 20;
const PASSWORD = 'correct horse battery';

async function listen(server: Server): Promise<string> {
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function main(): Promise<void> {
  const seconds = envInt('BENCH_LOGIN_SECONDS', 2);
  const rounds = envInt('BENCH_LOGIN_ROUNDS', 6);
  const connections = envInt('BENCH_LOGIN_CONNECTIONS', 4);
  const server = await startBenchServer();
  await server.admin('DROP DATABASE IF EXISTS bench_login WITH (FORCE)');
  await server.admin('CREATE DATABASE bench_login');
  await migrate(server, 'bench_login');
  const sequelize = createSequelize(server.url('bench_login'), { pool: { max: 10 } });
  initModels(sequelize);
  // Production settings: scrypt 2^15, the default login limits (setting up
  // the accounts from one address needs more registrations than the default).
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    REGISTER_MAX_PER_ADDRESS: '1000',
  });
  const apps = {
    'shared (PostgreSQL)': createApp({ sequelize, logger: createLogger('silent'), config }),
    'in-memory (before)': createApp({
      sequelize,
      logger: createLogger('silent'),
      config,
      authLimiter: new InMemoryLoginLimiter(),
    }),
  };
  const servers = Object.fromEntries(
    Object.entries(apps).map(([name, app]) => [name, app.listen(0, '127.0.0.1')]),
  ) as Record<keyof typeof apps, Server>;
  try {
    const bases = Object.fromEntries(
      await Promise.all(Object.entries(servers).map(async ([n, s]) => [n, await listen(s)])),
    ) as Record<string, string>;
    const first = Object.values(bases)[0]!;
    for (let i = 0; i < USERS; i++) {
      const res = await fetch(`${first}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username: `login${i}`,
          email: `l${i}@example.test`,
          password: PASSWORD,
        }),
      });
      if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
    }
    console.log(
      `## Login throughput: shared limiter vs in-memory (scrypt 2^${config.passwordScryptLogN}, ${connections} connections, ${seconds} s per run)\n`,
    );
    const totals = new Map<string, { requests: number; non2xx: number; latencies: number[] }>();
    for (let round = 0; round < rounds; round++) {
      // Alternate which goes first, so neither always follows the other.
      const order = round % 2 === 0 ? Object.entries(bases) : Object.entries(bases).reverse();
      for (const [name, base] of order) {
        console.error(`round ${round + 1}: ${name}...`);
        const result = await autocannon({
          url: base,
          connections,
          duration: seconds,
          headers: { 'content-type': 'application/json' },
          requests: [
            {
              method: 'POST',
              path: '/api/auth/login',
              setupRequest: (req: autocannon.Request) => ({
                ...req,
                body: JSON.stringify({
                  username: `login${Math.floor(Math.random() * USERS)}`,
                  password: PASSWORD,
                }),
              }),
            },
          ],
        });
        const total = totals.get(name) ?? { requests: 0, non2xx: 0, latencies: [] };
        total.requests += result.requests.total;
        total.non2xx += result.non2xx + result.errors;
        total.latencies.push(result.latency.p50, result.latency.p99);
        totals.set(name, total);
      }
    }
    const elapsed = rounds * seconds;
    const rate = (name: string) => totals.get(name)!.requests / elapsed;
    const memory = rate('in-memory (before)');
    printTable(
      [
        'limiter',
        'logins',
        'logins/s',
        'median of run p50s',
        'worst run p99',
        'non-2xx',
        'vs in-memory',
      ],
      [...totals].map(([name, t]) => {
        const p50s = t.latencies.filter((_, i) => i % 2 === 0);
        const p99s = t.latencies.filter((_, i) => i % 2 === 1);
        return [
          name,
          t.requests,
          rate(name).toFixed(2),
          `${quantile(p50s, 0.5)} ms`,
          `${Math.max(...p99s)} ms`,
          t.non2xx,
          name === 'shared (PostgreSQL)' ? `${((rate(name) / memory - 1) * 100).toFixed(1)} %` : '',
        ];
      }),
    );
    console.log(
      `${rounds} alternating rounds of ${seconds} s each; ${USERS} accounts, all from one address\n`,
    );

    // The parts on their own, one at a time.
    const limiter = new AuthRateLimiter(sequelize, limitsFromConfig(config.limits));
    const limiterMs: number[] = [];
    for (let i = 0; i < 300; i++) {
      const started = process.hrtime.bigint();
      const reservation = await limiter.reserveLogin(`login${i % USERS}`, '127.0.0.1');
      await reservation.succeeded();
      limiterMs.push(msSince(started));
    }
    const scryptMs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = process.hrtime.bigint();
      await hashPassword(PASSWORD, config.passwordScryptLogN);
      scryptMs.push(msSince(started));
    }
    printTable(
      ['part of one login', 'runs', 'p50', 'p99'],
      [
        [
          'shared limiter: reserve + release',
          300,
          `${quantile(limiterMs, 0.5).toFixed(2)} ms`,
          `${quantile(limiterMs, 0.99).toFixed(2)} ms`,
        ],
        [
          `scrypt 2^${config.passwordScryptLogN} (one hash)`,
          10,
          `${quantile(scryptMs, 0.5).toFixed(1)} ms`,
          `${quantile(scryptMs, 0.99).toFixed(1)} ms`,
        ],
      ],
    );
    console.log(
      `limiter p50 / scrypt p50 = ${((quantile(limiterMs, 0.5) / quantile(scryptMs, 0.5)) * 100).toFixed(1)} %`,
    );
    console.log(machineLine(server.version));
  } finally {
    await Promise.all(Object.values(servers).map((s) => new Promise((r) => s.close(r))));
    await sequelize.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
