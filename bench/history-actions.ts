// Latency of acting on the history at scale: POST .../:id/restore and
// POST .../history/:entryId/revert, through a real port, on a fully migrated
// database holding BENCH_ROWS_PER_TABLE characters, items and locations
// (default 1M each) and BENCH_HISTORY_ENTRIES history entries (default 10M,
// the synthetic history of bench/support/history-fill.ts, spread over 12
// monthly partitions). Each timed call follows an untimed DELETE (restore)
// or PATCH (revert) of a random row; prints p50, p95 and max of each, the
// target being p50 under 20 ms, and the machine line with its load.
//   npm run bench:history-actions
//   BENCH_HISTORY_ENTRIES=1000000 BENCH_ROWS_PER_TABLE=100000 npm run bench:history-actions
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createApp } from '../app/app';
import { loadConfig } from '../app/config';
import { createSequelize } from '../app/db/sequelize';
import { ENSURE_PARTITIONS_FUNCTION } from '../app/history/partition-sql';
import { createLogger } from '../app/logger';
import { initModels } from '../models';
import { runBench, withClient } from './support/bench-server';
import { migrate } from './support/datasets';
import { historyFillSql, HISTORY_SHAPE } from './support/history-fill';
import { duration, envInt, msSince, printTable, quantile } from './support/report';

const DATABASE = 'bench_history_actions';
const ENTRIES = envInt('BENCH_HISTORY_ENTRIES', 10_000_000);
const ROWS = envInt('BENCH_ROWS_PER_TABLE', 1_000_000);
const RUNS = envInt('BENCH_ACTION_RUNS', 200);
const BATCH = 1_000_000;
const TARGET_MS = 20;

const help = process.argv.includes('--help') || process.argv.includes('-h');
if (help) {
  console.log(`Usage: npm run bench:history-actions

Measures restore and revert latency (p50, p95) at scale on a throw-away
embedded PostgreSQL (or BENCH_DATABASE_URL, whose role needs CREATEDB).
  BENCH_HISTORY_ENTRIES   history entries to fill (default 10000000)
  BENCH_ROWS_PER_TABLE    characters, items and locations each (default 1000000)
  BENCH_ACTION_RUNS       timed calls of each kind (default 200)`);
  process.exit(0);
}

async function fill(url: string, ownerId: number, campaignId: number): Promise<void> {
  await withClient(url, async (client) => {
    let started = process.hrtime.bigint();
    // Rows written as a bulk load, without the row triggers (audit fill,
    // history capture): the synthetic history stands for theirs.
    await client.query('SET session_replication_role = replica');
    for (const table of ['characters', 'items', 'locations']) {
      const extra = table === 'characters' ? ', game_system, player_owner_id' : '';
      const values = table === 'characters' ? `, 'd20', $1` : '';
      await client.query(
        `INSERT INTO ${table} (campaign_id, name, description, created_by, modified_by, created_at, updated_at${extra})
         SELECT $2, '${table} ' || i, 'About ' || i, $1, $1, now(), now()${values}
           FROM generate_series(1, $3::int) AS i`,
        [ownerId, campaignId, ROWS],
      );
    }
    await client.query('SET session_replication_role = origin');
    console.log(`rows: ${ROWS} per table in ${duration(msSince(started))}`);
    started = process.hrtime.bigint();
    await client.query(
      `SELECT ${ENSURE_PARTITIONS_FUNCTION}(date_trunc('month', now()) - interval '${HISTORY_SHAPE.months - 1} months', now())`,
    );
    const { rows } = await client.query<{ last: string }>(
      'SELECT coalesce(max(id), 0)::text AS last FROM history_entries',
    );
    const offset = Number(rows[0]!.last);
    // The synthetic entries take ids below the app's: the sequence moves past them.
    await client.query(`UPDATE history_entries SET id = id + $1`, [ENTRIES]);
    for (let from = 1; from <= ENTRIES; from += BATCH) {
      const to = Math.min(ENTRIES, from + BATCH - 1);
      await client.query(historyFillSql(), [from, to, ENTRIES]);
    }
    await client.query(`SELECT setval('history_entries_id_seq', $1)`, [ENTRIES + offset]);
    await client.query('VACUUM (ANALYZE)');
    console.log(`history: ${ENTRIES} entries in ${duration(msSince(started))}`);
  });
}

function summary(label: string, times: number[]): Array<string | number> {
  const p50 = quantile(times, 0.5);
  return [
    label,
    times.length,
    `${p50.toFixed(1)} ms`,
    `${quantile(times, 0.95).toFixed(1)} ms`,
    `${Math.max(...times).toFixed(1)} ms`,
    p50 < TARGET_MS ? `yes (< ${TARGET_MS} ms)` : `NO (>= ${TARGET_MS} ms)`,
  ];
}

runBench(async (server) => {
  await server.admin(`DROP DATABASE IF EXISTS ${DATABASE}`);
  await server.admin(`CREATE DATABASE ${DATABASE}`);
  await migrate(server, DATABASE);
  const url = server.url(DATABASE);
  const sequelize = createSequelize(url);
  initModels(sequelize);
  const config = {
    ...loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      CURSOR_SECRET: 'bench-only-cursor-secret-of-32-characters-or-more',
    }),
    passwordScryptLogN: 10,
  };
  const app = createApp({ sequelize, logger: createLogger('silent'), config });
  const listener = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => listener.once('listening', resolve));
  const base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  try {
    const call = async (method: string, route: string, token?: string, body?: object) => {
      const start = performance.now();
      const res = await fetch(base + route, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
      return {
        json: (text ? JSON.parse(text) : {}) as Record<string, never>,
        ms: performance.now() - start,
      };
    };
    const credentials = { username: 'bench_gm', password: 'correct horse battery' };
    const registered = await call('POST', '/api/auth/register', undefined, {
      ...credentials,
      email: 'bench_gm@example.test',
    });
    const token = (await call('POST', '/api/auth/login', undefined, credentials)).json
      .token as string;
    const campaignId = (await call('POST', '/api/campaigns', token, { name: 'Bench' })).json
      .id as number;
    await fill(url, registered.json.id as number, campaignId);

    const pick = (i: number) => 1 + ((i * 7919 + 13) % ROWS);
    const collections = ['characters', 'items', 'locations'];
    const restores: number[] = [];
    const reverts: number[] = [];
    // The untimed writes before each call, as a baseline under the same load.
    const deletes: number[] = [];
    const patches: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const collection = collections[i % 3]!;
      const id = pick(i);
      deletes.push((await call('DELETE', `/api/${collection}/${id}`, token)).ms);
      restores.push((await call('POST', `/api/${collection}/${id}/restore`, token)).ms);
    }
    for (let i = 0; i < RUNS; i++) {
      const collection = collections[i % 3]!;
      const id = pick(i + RUNS);
      patches.push(
        (await call('PATCH', `/api/${collection}/${id}`, token, { description: `Changed ${i}` }))
          .ms,
      );
      const history = await call('GET', `/api/${collection}/${id}/history?limit=1`, token);
      const entryId = (history.json.data as Array<{ id: string }>)[0]!.id;
      reverts.push(
        (await call('POST', `/api/${collection}/${id}/history/${entryId}/revert`, token)).ms,
      );
    }
    printTable(
      ['call', 'n', 'p50', 'p95', 'max', 'target met'],
      [
        summary('POST /api/<kind>/:id/restore', restores),
        summary('POST /api/<kind>/:id/history/:entryId/revert', reverts),
        summary('(baseline) DELETE /api/<kind>/:id', deletes),
        summary('(baseline) PATCH /api/<kind>/:id', patches),
      ],
    );
    console.log(
      `scale: ${ENTRIES} history entries, ${ROWS} rows per table (full scale: 10000000 and 1000000)`,
    );
  } finally {
    await new Promise((resolve) => listener.close(resolve));
    await sequelize.close();
  }
});
