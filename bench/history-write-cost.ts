// The trail's cost on writes. HTTP: creates and updates of items through
// real server processes (app/server.ts on real ports), driven by autocannon,
// in three modes back to back in each round (order rotating), compared
// round by round:
//   trail (as shipped)   this app, capture triggers enabled;
//   (a) capture off      this app, capture triggers disabled (the app still
//                        opens a transaction and passes actor, request id
//                        and source for each write);
//   (b) no trail         the app as it was before the history (the commit
//                        before models/mixins/history-context.ts was added,
//                        run from a temporary checkout), capture disabled.
// WAL: bytes of WAL per single-row INSERT and UPDATE of an item, in SQL on
// one connection, each its own transaction, with the capture trigger
// enabled and disabled (pg_current_wal_lsn() before and after).
// The database's part: time and WAL per row of single-row INSERTs and
// UPDATEs in one DO block, capture off, on, and on without the activity
// indexes (dropped in the measuring transaction, which is rolled back).
import autocannon from 'autocannon';
import type pg from 'pg';
import { captureTriggerName } from '../app/history/capture-sql';
import { ACTIVITY_BY_ACTOR_INDEX, ACTIVITY_BY_KIND_INDEX } from '../app/history/activity-indexes';
import { HISTORY_SETTINGS } from '../app/db/history-settings';
import { HISTORY_TABLE } from '../app/history/captured-table';
import { HISTORY_TABLES } from '../app/history/history-spec';
import { startAppServer, type AppServerProcess } from '../app/dev/app-server';
import { startBenchServer, withClient } from './support/bench-server';
import { checkoutAt, commitBefore } from './support/checkout';
import { parentPid, processCpuMs, processTreeCpuMs } from './support/cpu';
import { migrate } from './support/datasets';
import { prepareItemWrites } from './support/item-writes';
import { envInt, machineLine, msSince, printTable, quantile } from './support/report';

const DATABASE = 'bench_history_cost';

async function captureTriggers(client: pg.Client, on: boolean): Promise<void> {
  for (const { table } of HISTORY_TABLES) {
    await client.query(
      `ALTER TABLE "${table}" ${on ? 'ENABLE' : 'DISABLE'} TRIGGER "${captureTriggerName(table)}"`,
    );
  }
}

function appEnv(url: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    MIGRATE_ON_START: 'false',
    CURSOR_SECRET: 'bench-only-cursor-secret-of-32-characters-or-more',
    PASSWORD_SCRYPT_LOG_N: '14',
  };
}

interface Mode {
  name: string;
  server: AppServerProcess;
  capture: boolean;
}

async function httpThroughput(url: string, client: pg.Client): Promise<void> {
  const seconds = envInt('BENCH_HTTP_SECONDS', 6);
  const rounds = envInt('BENCH_HTTP_ROUNDS', 5);
  const connections = envInt('BENCH_HTTP_CONNECTIONS', 8);
  const before = commitBefore('models/mixins/history-context.ts');
  const checkout = checkoutAt(before);
  const current = await startAppServer(appEnv(url));
  const previous = await startAppServer(appEnv(url), checkout.root);
  try {
    await Promise.all([current.ready(), previous.ready()]);
    const base = current.base;
    const { headers, create, update } = await prepareItemWrites(base);
    const endpoints: Record<string, autocannon.Request> = {
      'POST /api/items': create,
      'PATCH /api/items/:id': update,
    };
    const modes: Mode[] = [
      { name: 'trail (as shipped)', server: current, capture: true },
      { name: '(a) capture off', server: current, capture: false },
      { name: `(b) no trail (${before.slice(0, 7)})`, server: previous, capture: false },
    ];
    console.log(
      `### HTTP writes (${connections} connections, ${seconds} s per run, ${rounds} rounds)\n`,
    );
    const { rows: backend } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const postmaster = parentPid(backend[0]!.pid);
    const throughput = new Map<string, number[]>();
    const cpu = new Map<string, number[]>();
    const best = new Map<string, autocannon.Result>();
    const entries = new Map<string, number>();
    const countEntries = async () =>
      Number(
        (await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${HISTORY_TABLE}`)).rows[0]!
          .n,
      );
    const push = (map: Map<string, number[]>, key: string, value: number) =>
      map.set(key, [...(map.get(key) ?? []), value]);
    // Each server warms up (its JIT, its pool) on each endpoint before any figure is taken.
    for (const server of [current, previous]) {
      for (const request of Object.values(endpoints)) {
        await autocannon({
          url: server.base,
          connections,
          duration: 3,
          headers,
          requests: [request],
        });
      }
    }
    for (let round = 0; round < rounds; round++) {
      for (const [endpoint, request] of Object.entries(endpoints)) {
        // The three modes back to back, in a rotating order: the machine's
        // load drifts, so each round compares runs close in time.
        const order = modes.map((_, i) => modes[(i + round) % modes.length]!);
        for (const mode of order) {
          await captureTriggers(client, mode.capture);
          console.error(`round ${round + 1}: ${endpoint}, ${mode.name}...`);
          const startEntries = await countEntries();
          const cpuBefore = processCpuMs(mode.server.pid) + processTreeCpuMs(postmaster);
          const result = await autocannon({
            url: mode.server.base,
            connections,
            duration: seconds,
            headers,
            requests: [request],
          });
          const cpuUsed = processCpuMs(mode.server.pid) + processTreeCpuMs(postmaster) - cpuBefore;
          const key = `${endpoint}|${mode.name}`;
          const added = (await countEntries()) - startEntries;
          push(throughput, key, result.requests.average);
          push(cpu, key, cpuUsed / result.requests.total);
          const previousBest = best.get(key);
          if (!previousBest || result.requests.average > previousBest.requests.average) {
            best.set(key, result);
            entries.set(key, added);
          }
        }
      }
    }
    await captureTriggers(client, true);
    /** Median over rounds of this mode's figure against the other's in the same round. */
    const paired = (map: Map<string, number[]>, endpoint: string, mode: Mode, other: Mode) => {
      const a = map.get(`${endpoint}|${mode.name}`)!;
      const b = map.get(`${endpoint}|${other.name}`)!;
      const ratios = a.map((value, i) => (value / b[i]! - 1) * 100);
      const signed = (x: number) => `${x > 0 ? '+' : ''}${x.toFixed(0)}`;
      return `${signed(quantile(ratios, 0.5))} % (${signed(Math.min(...ratios))}..${signed(Math.max(...ratios))})`;
    };
    const [shipped, off, none] = modes as [Mode, Mode, Mode];
    printTable(
      [
        'endpoint',
        'mode',
        'req/s (median)',
        'req/s vs (b)',
        'CPU per request',
        'CPU vs (a)',
        'CPU vs (b)',
        'p50 / p99 (best run)',
        'entries (best run)',
      ],
      Object.keys(endpoints).flatMap((endpoint) =>
        modes.map((mode) => {
          const key = `${endpoint}|${mode.name}`;
          const r = best.get(key)!;
          return [
            endpoint,
            mode.name,
            Math.round(quantile(throughput.get(key)!, 0.5)),
            mode === none ? '' : paired(throughput, endpoint, mode, none),
            `${quantile(cpu.get(key)!, 0.5).toFixed(2)} ms`,
            mode === shipped ? paired(cpu, endpoint, mode, off) : '',
            mode === none ? '' : paired(cpu, endpoint, mode, none),
            `${r.latency.p50} / ${r.latency.p99} ms`,
            `${entries.get(key)} / ${r.requests.total}${r.non2xx + r.errors ? `, ${r.non2xx + r.errors} failed` : ''}`,
          ];
        }),
      ),
    );
    console.log(
      'vs: median over rounds of the change against the other mode in the same round (range in brackets). ' +
        'CPU per request: CPU time of the server process and of every PostgreSQL process during the run, ' +
        'per request answered (median over rounds); on a CPU-bound machine throughput goes as its inverse. ' +
        'entries: history entries the run added / requests it answered\n',
    );
  } finally {
    await Promise.all([current.stop(), previous.stop()]);
    checkout.dispose();
  }
}

/**
 * Mean WAL bytes and mean time per statement over `n` single-row
 * statements, each committed on its own (so each waits for its WAL flush).
 */
async function walPerWrite(
  client: pg.Client,
  n: number,
  statement: (i: number) => [string, unknown[]],
): Promise<{ bytes: number; ms: number }> {
  const lsn = async () =>
    (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
  const start = await lsn();
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const [sql, params] = statement(i);
    await client.query(sql, params);
  }
  const ms = msSince(started) / n;
  const end = await lsn();
  const { rows } = await client.query<{ bytes: string }>(
    'SELECT pg_wal_lsn_diff($1, $2) AS bytes',
    [end, start],
  );
  return { bytes: Number(rows[0]!.bytes) / n, ms };
}

async function walCost(client: pg.Client): Promise<void> {
  const n = envInt('BENCH_WAL_WRITES', 2000);
  const rounds = envInt('BENCH_WAL_ROUNDS', 3);
  const { rows } = await client.query<{ campaign: number; ids: number[] }>(
    `SELECT min(campaign_id) AS campaign, array_agg(id) AS ids FROM items`,
  );
  const { campaign, ids } = rows[0]!;
  const insert = (i: number): [string, unknown[]] => [
    `INSERT INTO items (name, description, campaign_id, created_at, updated_at)
     VALUES ($1, $2, $3, now(), now())`,
    [`wal item ${i}`, 'a short description', campaign],
  ];
  const update = (i: number): [string, unknown[]] => [
    `UPDATE items SET description = $2, updated_at = now() WHERE id = $1`,
    [ids[i % ids.length], `wal edit ${i} ${Math.random()}`],
  ];
  const results = new Map<string, Array<{ bytes: number; ms: number }>>();
  // A warm-up of each statement first, so the pages both modes touch are
  // already in the WAL since the last checkpoint (full-page images aside).
  await client.query('CHECKPOINT');
  await walPerWrite(client, Math.ceil(n / 4), insert);
  await walPerWrite(client, Math.ceil(n / 4), update);
  for (let round = 0; round < rounds; round++) {
    for (const capture of [true, false]) {
      await captureTriggers(client, capture);
      for (const [name, statement] of [
        ['INSERT', insert],
        ['UPDATE', update],
      ] as const) {
        const key = `${name}|${capture}`;
        results.set(key, [...(results.get(key) ?? []), await walPerWrite(client, n, statement)]);
      }
    }
  }
  await captureTriggers(client, true);
  console.log(
    `### WAL per write (${n} single-row statements per run, each its own transaction, median of ${rounds} alternating runs)\n`,
  );
  const median = (name: string, capture: boolean, of: 'bytes' | 'ms') =>
    quantile(
      results.get(`${name}|${capture}`)!.map((r) => r[of]),
      0.5,
    );
  printTable(
    [
      'statement',
      'WAL, capture on',
      'capture off',
      'trail adds',
      'time, capture on',
      'capture off',
    ],
    ['INSERT', 'UPDATE'].map((name) => {
      const on = median(name, true, 'bytes');
      const off = median(name, false, 'bytes');
      return [
        `${name} of one item`,
        `${Math.round(on)} B`,
        `${Math.round(off)} B`,
        `${Math.round(on - off)} B (+${((on / off - 1) * 100).toFixed(0)} %)`,
        `${median(name, true, 'ms').toFixed(2)} ms`,
        `${median(name, false, 'ms').toFixed(2)} ms`,
      ];
    }),
  );
  console.log('time: mean per statement on one connection, commit (and WAL flush) included\n');
}

type ServerMode = 'capture off' | 'capture on' | 'capture on, without the activity indexes';

/**
 * The database's own time and WAL per row written, apart from the app and
 * the commit: `n` single-row INSERTs, then `n` UPDATEs, of items in one DO
 * block, in a transaction rolled back afterwards (the activity indexes are
 * dropped inside it for the third mode, and come back with the rollback).
 */
async function serverCostPerRow(
  client: pg.Client,
  mode: ServerMode,
  n: number,
): Promise<Record<'INSERT' | 'UPDATE', { us: number; wal: number }>> {
  const { rows } = await client.query<{ campaign: number; user: number; max: number }>(
    `SELECT min(campaign_id) AS campaign, min(created_by) AS user, max(id) AS max FROM items`,
  );
  const { campaign, user, max } = rows[0]!;
  const lsn = async () =>
    (await client.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn'))
      .rows[0]!.lsn;
  const measure = async (block: string) => {
    const start = await lsn();
    const started = process.hrtime.bigint();
    await client.query(block);
    const us = (msSince(started) * 1000) / n;
    const { rows: diff } = await client.query<{ bytes: string }>(
      'SELECT pg_wal_lsn_diff($1, $2) AS bytes',
      [await lsn(), start],
    );
    return { us, wal: Number(diff[0]!.bytes) / n };
  };
  await captureTriggers(client, mode !== 'capture off');
  await client.query('BEGIN');
  try {
    if (mode === 'capture on, without the activity indexes') {
      for (const index of [ACTIVITY_BY_KIND_INDEX, ACTIVITY_BY_ACTOR_INDEX]) {
        await client.query(`DROP INDEX ${index.name}`);
      }
    }
    await client.query(`SELECT set_config('${HISTORY_SETTINGS.actor}', $1, true)`, [String(user)]);
    const insert = await measure(
      `DO $$ BEGIN FOR i IN 1..${n} LOOP
         INSERT INTO items (name, description, campaign_id, created_at, updated_at, created_by, modified_by)
         VALUES ('server item ' || i, 'a short description', ${campaign}, now(), now(), ${user}, ${user});
       END LOOP; END $$`,
    );
    const update = await measure(
      `DO $$ BEGIN FOR i IN 1..${n} LOOP
         UPDATE items SET description = 'server edit ' || i, updated_at = now() WHERE id = ${max} - (i % 200);
       END LOOP; END $$`,
    );
    return { INSERT: insert, UPDATE: update };
  } finally {
    await client.query('ROLLBACK');
    await captureTriggers(client, true);
  }
}

async function serverCost(client: pg.Client): Promise<void> {
  const n = envInt('BENCH_SERVER_WRITES', 4000);
  const rounds = envInt('BENCH_SERVER_ROUNDS', 5);
  const modes: ServerMode[] = [
    'capture off',
    'capture on',
    'capture on, without the activity indexes',
  ];
  const results = new Map<string, Array<{ us: number; wal: number }>>();
  await serverCostPerRow(client, 'capture on', n); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const mode of modes) {
      const got = await serverCostPerRow(client, mode, n);
      for (const statement of ['INSERT', 'UPDATE'] as const) {
        const key = `${statement}|${mode}`;
        results.set(key, [...(results.get(key) ?? []), got[statement]]);
      }
    }
  }
  console.log(
    `### The database's time and WAL per row (${n} single-row statements in one DO block, rolled back; median of ${rounds} rounds)\n`,
  );
  const median = (statement: string, mode: ServerMode, of: 'us' | 'wal') =>
    quantile(
      results.get(`${statement}|${mode}`)!.map((r) => r[of]),
      0.5,
    );
  printTable(
    ['statement', 'mode', 'time per row', 'WAL per row'],
    ['INSERT', 'UPDATE'].flatMap((statement) =>
      modes.map((mode) => [
        `${statement} of one item`,
        mode,
        `${median(statement, mode, 'us').toFixed(1)} µs`,
        `${Math.round(median(statement, mode, 'wal'))} B`,
      ]),
    ),
  );
  console.log(
    'time: the server executing the statements, trigger included, without the app, network or commit\n',
  );
}

async function main(): Promise<void> {
  const server = await startBenchServer();
  try {
    console.log('## The history trail on writes\n');
    await server.admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await server.admin(`CREATE DATABASE ${DATABASE}`);
    await migrate(server, DATABASE);
    const url = server.url(DATABASE);
    await withClient(url, async (client) => {
      await httpThroughput(url, client);
      await walCost(client);
      await serverCost(client);
    });
    console.log(machineLine(server.version));
    await server.admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
