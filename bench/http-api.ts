// What the HTTP API costs on this machine: scrypt at each cost, concurrent
// authenticated creates through a real port, and list latency over a table of
// ROWS items with every sort, a name search and a deep page. Runs on a
// throw-away embedded PostgreSQL, or on BENCH_DATABASE_URL.
//   npx tsx bench/http-api.ts [rows] [writers] [writes per writer]   (default 20000, 50, 20)
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createApp } from '../app/app';
import { hashPassword } from '../app/auth/password';
import { loadConfig } from '../app/config';
import { EmbeddedPostgres } from '../app/db/embedded-postgres';
import { migrateUp } from '../app/db/migration-runner';
import { createSequelize } from '../app/db/sequelize';
import { createLogger } from '../app/logger';
import { initModels } from '../models';

const ROWS = Number(process.argv[2] ?? 20_000);
const WRITERS = Number(process.argv[3] ?? 50);
const WRITES_EACH = Number(process.argv[4] ?? 20);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(label: string, times: number[]): void {
  const sorted = [...times].sort((a, b) => a - b);
  const fmt = (n: number) => `${n.toFixed(1)} ms`;
  console.log(
    `${label.padEnd(44)} n=${String(times.length).padStart(5)}  p50 ${fmt(percentile(sorted, 50))}  p95 ${fmt(percentile(sorted, 95))}  max ${fmt(sorted.at(-1)!)}`,
  );
}

async function main(): Promise<void> {
  for (const logN of [10, 14, 15, 16]) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      await hashPassword('correct horse battery', logN);
      times.push(performance.now() - start);
    }
    summary(`scrypt N=2^${logN}, r=8, p=1 (one hash)`, times);
  }

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-bench-'));
  fs.chmodSync(dataDir, 0o755);
  const embedded = process.env.BENCH_DATABASE_URL
    ? undefined
    : await EmbeddedPostgres.start({ dataDir, database: 'bench', durable: false });
  const url = process.env.BENCH_DATABASE_URL ?? embedded!.url;
  const sequelize = createSequelize(url);
  const config = { ...loadConfig({ ...process.env, NODE_ENV: 'test' }), passwordScryptLogN: 10 };
  try {
    await migrateUp(sequelize, url);
    initModels(sequelize);
    const app = createApp({ sequelize, logger: createLogger('silent'), config });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const call = async (method: string, route: string, body?: object, token?: string) => {
      const start = performance.now();
      const res = await fetch(base + route, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const json = (await res.json()) as Record<string, unknown> & { id: number; token: string };
      if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
      return { json, ms: performance.now() - start };
    };

    const tag = Date.now().toString(36);
    const users = await Promise.all(
      Array.from({ length: WRITERS }, async (_, i) => {
        const username = `bench_${tag}_${i}`;
        const password = 'correct horse battery';
        const reg = await call('POST', '/api/auth/register', {
          username,
          email: `${username}@example.test`,
          password,
        });
        const login = await call('POST', '/api/auth/login', { username, password });
        return { id: reg.json.id, token: login.json.token };
      }),
    );
    const owner = users[0]!;
    const campaignId = (await call('POST', '/api/campaigns', { name: 'bench' }, owner.token)).json
      .id;
    await Promise.all(
      users
        .slice(1)
        .map((u) =>
          call(
            'POST',
            `/api/campaigns/${campaignId}/members`,
            { userId: u.id, role: 'GM' },
            owner.token,
          ),
        ),
    );

    const writeTimes: number[] = [];
    const started = performance.now();
    await Promise.all(
      users.map(async (u, w) => {
        for (let i = 0; i < WRITES_EACH; i++) {
          const { ms } = await call(
            'POST',
            '/api/items',
            { campaignId, name: `w${w} i${i}` },
            u.token,
          );
          writeTimes.push(ms);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    summary(`POST /api/items, ${WRITERS} writers at once`, writeTimes);
    console.log(`${''.padEnd(44)} ${(writeTimes.length / seconds).toFixed(0)} writes/s`);

    // Bulk rows for the list timings, spread over a year, written by the writers.
    await sequelize.query(
      `INSERT INTO items (name, description, campaign_id, created_by, modified_by, created_at, updated_at)
       SELECT 'Item ' || g, '', $1, $2, $3, now() - (g || ' minutes')::interval, now() - (g || ' seconds')::interval
       FROM generate_series(1, $4) AS g`,
      { bind: [campaignId, owner.id, users.at(-1)!.id, ROWS] },
    );
    await sequelize.query('ANALYZE items');
    const lists: Array<[string, string]> = [
      ['list, default sort (-updatedAt), limit 100', `campaignId=${campaignId}&limit=100`],
      ['list, sort=createdAt, limit 100', `campaignId=${campaignId}&limit=100&sort=createdAt`],
      ['list, all my campaigns, limit 100', 'limit=100'],
      ['list, q=77 (name search)', `campaignId=${campaignId}&q=77&limit=100`],
      [
        'list, modifiedBy filter',
        `campaignId=${campaignId}&modifiedBy=${users.at(-1)!.id}&limit=100`,
      ],
      ['list, offset 10000', `campaignId=${campaignId}&limit=100&offset=10000`],
    ];
    for (const [label, query] of lists) {
      const times: number[] = [];
      for (let i = 0; i < 30; i++)
        times.push((await call('GET', `/api/items?${query}`, undefined, owner.token)).ms);
      summary(`GET ${label}`, times);
    }
    console.log(`(${ROWS + WRITERS * WRITES_EACH} items in the table)`);
    await new Promise((resolve) => server.close(resolve));
  } finally {
    await sequelize.close();
    await embedded?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
