// The history's hash chain. (a) HTTP writes (creates and updates of items
// through a real server process, driven by autocannon) with the chain's
// trigger enabled and disabled, back to back in each round (order rotating),
// compared round by round: "disabled" is the app as it is today, ETags
// included, so the figure is the chain's cost against today; then the
// database's own time per UPDATE, chain on and off (serverCost). (b) The
// verify rate: BENCH_CHAIN_ENTRIES entries (default 10M) of the read
// benchmark's synthetic history (bench/support/history-fill.ts), loaded with
// the chain's trigger on (the fill computes the chain: each entry linked to
// its row's previous one), then `db:history-verify` run as a real process,
// its rate in entries per second taken from its own report.
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import type pg from 'pg';
import { startAppServer } from '../app/dev/app-server';
import { CHAIN_TRIGGER } from '../app/history/chain-sql';
import { HISTORY_TABLE } from '../app/history/captured-table';
import { PROJECT_ROOT } from '../app/dev/project-root';
import { runBench, withClient, type BenchServer } from './support/bench-server';
import { migrate } from './support/datasets';
import { historyFillSql, HISTORY_SHAPE } from './support/history-fill';
import { prepareItemWrites } from './support/item-writes';
import { duration, envInt, msSince, printTable, quantile } from './support/report';

const DATABASE = 'bench_history_chain';

const chain = (client: pg.Client, on: boolean) =>
  client.query(
    `ALTER TABLE ${HISTORY_TABLE} ${on ? 'ENABLE' : 'DISABLE'} TRIGGER ${CHAIN_TRIGGER}`,
  );

async function httpWrites(url: string, client: pg.Client): Promise<void> {
  const seconds = envInt('BENCH_HTTP_SECONDS', 6);
  const rounds = envInt('BENCH_HTTP_ROUNDS', 5);
  const connections = envInt('BENCH_HTTP_CONNECTIONS', 8);
  const server = await startAppServer({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    MIGRATE_ON_START: 'false',
    CURSOR_SECRET: 'bench-only-cursor-secret-of-32-characters-or-more',
    PASSWORD_SCRYPT_LOG_N: '14',
  });
  try {
    await server.ready();
    const { headers, create, update } = await prepareItemWrites(server.base);
    const endpoints = { 'POST /api/items': create, 'PATCH /api/items/:id': update };
    const modes = ['chain', 'no chain (today)'] as const;
    for (const request of Object.values(endpoints)) {
      await autocannon({
        url: server.base,
        connections,
        duration: 3,
        headers,
        requests: [request],
      });
    }
    const figures = new Map<string, number[]>();
    for (let round = 0; round < rounds; round++) {
      for (const [endpoint, request] of Object.entries(endpoints)) {
        for (const mode of round % 2 ? [...modes].reverse() : modes) {
          await chain(client, mode === 'chain');
          console.error(`round ${round + 1}: ${endpoint}, ${mode}...`);
          const result = await autocannon({
            url: server.base,
            connections,
            duration: seconds,
            headers,
            requests: [request],
          });
          const key = `${endpoint}|${mode}`;
          figures.set(key, [...(figures.get(key) ?? []), result.requests.average]);
        }
      }
    }
    await chain(client, true);
    console.log(
      `### HTTP writes, chain on and off (${connections} connections, ${seconds} s per run, ${rounds} rounds)\n`,
    );
    printTable(
      ['endpoint', 'req/s with chain', 'req/s today', 'chain vs today (median of rounds, range)'],
      Object.keys(endpoints).map((endpoint) => {
        const on = figures.get(`${endpoint}|chain`)!;
        const off = figures.get(`${endpoint}|no chain (today)`)!;
        const ratios = on.map((value, i) => (value / off[i]! - 1) * 100);
        const signed = (x: number) => `${x > 0 ? '+' : ''}${x.toFixed(1)}`;
        return [
          endpoint,
          Math.round(quantile(on, 0.5)),
          Math.round(quantile(off, 0.5)),
          `${signed(quantile(ratios, 0.5))} % (${signed(Math.min(...ratios))}..${signed(Math.max(...ratios))})`,
        ];
      }),
    );
  } finally {
    await server.stop();
  }
}

/**
 * The database's own time per row written (capture and chain triggers
 * included, without the app, network or commit): `n` single-row UPDATEs of
 * items in one DO block, in a transaction rolled back afterwards, with the
 * chain's trigger on and off alternately. Less sensitive to a busy machine
 * than the HTTP runs: both modes run on one connection, back to back.
 */
async function serverCost(client: pg.Client): Promise<void> {
  const n = envInt('BENCH_CHAIN_ROW_WRITES', 2000);
  const rounds = envInt('BENCH_CHAIN_ROW_ROUNDS', 5);
  const times = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
    for (const on of round % 2 ? [false, true] : [true, false]) {
      await chain(client, on);
      await client.query('BEGIN');
      const started = process.hrtime.bigint();
      await client.query(`DO $$
        DECLARE target integer;
        BEGIN
          FOR i IN 1..${n} LOOP
            SELECT id INTO target FROM items ORDER BY id OFFSET (i % 200) LIMIT 1;
            UPDATE items SET description = 'row cost ' || i WHERE id = target;
          END LOOP;
        END $$`);
      const us = (msSince(started) * 1000) / n;
      await client.query('ROLLBACK');
      const key = on ? 'chain' : 'no chain (today)';
      times.set(key, [...(times.get(key) ?? []), us]);
    }
  }
  await chain(client, true);
  const on = quantile(times.get('chain')!, 0.5);
  const off = quantile(times.get('no chain (today)')!, 0.5);
  console.log(
    `### The database's time per UPDATE of an item (${n} per run, median of ${rounds} alternating runs)\n`,
  );
  printTable(
    ['with chain', 'today', 'chain adds'],
    [
      [
        `${on.toFixed(1)} µs`,
        `${off.toFixed(1)} µs`,
        `${(on - off).toFixed(1)} µs (${((on / off - 1) * 100).toFixed(0)} %)`,
      ],
    ],
  );
}

/** Loads `entries` synthetic entries through the chain's trigger; returns the time it took. */
async function fill(client: pg.Client, entries: number): Promise<number> {
  const started = process.hrtime.bigint();
  await client.query(
    `SELECT gma_history_ensure_partitions(date_trunc('month', now()) - interval '${HISTORY_SHAPE.months} months', now())`,
  );
  const chunk = 500_000;
  for (let from = 1; from <= entries; from += chunk) {
    const to = Math.min(entries, from + chunk - 1);
    await client.query(historyFillSql(), [from, to, entries]);
    console.error(`inserted ${to} of ${entries} entries (${duration(msSince(started))})`);
  }
  await client.query(`SELECT setval('history_entries_id_seq', $1)`, [entries]);
  await client.query(`VACUUM (ANALYZE) ${HISTORY_TABLE}`);
  return msSince(started);
}

/** Runs db:history-verify on `url` as a real process; its stderr's last line holds the rate. */
function runVerify(url: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/cli/history-verify.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

async function verifyRate(server: BenchServer, url: string, client: pg.Client): Promise<void> {
  const entries = envInt('BENCH_CHAIN_ENTRIES', 10_000_000);
  await client.query(`TRUNCATE ${HISTORY_TABLE}`);
  const fillMs = await fill(client, entries);
  const started = process.hrtime.bigint();
  const result = await runVerify(url);
  const ms = msSince(started);
  if (result.code !== 0) throw new Error(`db:history-verify exited ${result.code}`);
  const summary = /in ([\d.]+) s: (\d+) entries\/s;/.exec(result.stderr);
  console.log(`### db:history-verify at ${entries} entries\n`);
  printTable(
    ['entries', 'fill with the chain', 'verify (process)', 'chains: entries/s (its report)'],
    [[entries, duration(fillMs), duration(ms), summary ? `${summary[2]} (${summary[1]} s)` : '?']],
  );
  void server;
}

runBench(async (server) => {
  console.log('## The history hash chain\n');
  await server.admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await server.admin(`CREATE DATABASE ${DATABASE}`);
  await migrate(server, DATABASE);
  const url = server.url(DATABASE);
  await withClient(url, async (client) => {
    if (process.env.BENCH_SKIP_HTTP !== '1') await httpWrites(url, client);
    await serverCost(client);
    await verifyRate(server, url, client);
  });
  await server.admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
});
