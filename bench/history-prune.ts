// Removing old history: db:history-prune (whole monthly partitions dropped)
// against one DELETE of the same months, with writers inserting into the
// history all along: how long each takes, the WAL it writes, the dead rows
// it leaves for vacuum, and how long the writers' inserts wait meanwhile.
import pg from 'pg';
import { planPrune, runPrune } from '../app/history/prune';
import { openStableClient } from '../app/ops/pg-client';
import { startBenchServer, withClient } from './support/bench-server';
import { migrate } from './support/datasets';
import { duration, envInt, machineLine, msSince, printTable, quantile } from './support/report';

const DB = 'bench_history_prune';
const WRITERS = 4;

/** Start of the month `months` before this one (UTC). */
function monthStart(monthsAgo: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, 1));
}

interface Writers {
  stop(): Promise<number[]>;
}

/** Clients inserting one entry at a time, as the capture trigger does; latencies in ms. */
async function startWriters(url: string): Promise<Writers> {
  const latencies: number[] = [];
  let running = true;
  const clients = await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return client;
    }),
  );
  const loops = clients.map(async (client, n) => {
    for (let i = 0; running; i++) {
      const started = process.hrtime.bigint();
      await client.query(
        `INSERT INTO history_entries (table_name, row_id, campaign_id, action, actor_id, changes)
         VALUES ('characters', $1, $2, 'update', $2, '{"name": {"from": "a", "to": "b"}}')`,
        [i, n],
      );
      latencies.push(msSince(started));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      await Promise.all(clients.map((client) => client.end()));
      return latencies;
    },
  };
}

async function walBytes(client: pg.ClientBase): Promise<bigint> {
  const { rows } = await client.query<{ lsn: string }>(
    `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS lsn`,
  );
  return BigInt(rows[0]!.lsn.split('.')[0]!);
}

async function deadRows(client: pg.ClientBase): Promise<number> {
  await client.query('SELECT pg_stat_force_next_flush()').catch(() => {});
  const { rows } = await client.query<{ n: string }>(
    `SELECT coalesce(sum(n_dead_tup), 0)::text AS n FROM pg_stat_user_tables
      WHERE relname LIKE 'history_entries%'`,
  );
  return Number(rows[0]!.n);
}

async function measure(
  url: string,
  label: string,
  removed: number,
  run: () => Promise<void>,
): Promise<Array<string | number>> {
  return withClient(url, async (client) => {
    const walBefore = await walBytes(client);
    const writers = await startWriters(url);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = process.hrtime.bigint();
    await run();
    const took = msSince(started);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const latencies = await writers.stop();
    const wal = Number((await walBytes(client)) - walBefore) / 2 ** 20;
    // Give the statistics collector a moment to count the dead rows.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return [
      label,
      removed,
      duration(took),
      wal.toFixed(1),
      await deadRows(client),
      latencies.length,
      quantile(latencies, 0.99).toFixed(1),
      latencies.reduce((max, ms) => Math.max(max, ms), 0).toFixed(1),
    ];
  });
}

async function main(): Promise<void> {
  const entries = envInt('BENCH_ROWS', 1_000_000);
  const server = await startBenchServer();
  try {
    console.log(`## Removing old history: ${entries} entries over 12 months\n`);
    await server.admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await server.admin(`CREATE DATABASE ${DB}`);
    await migrate(server, DB);
    const url = server.url(DB);
    console.error(`filling ${entries} history entries...`);
    await withClient(url, async (client) => {
      await client.query(`SELECT gma_history_ensure_partitions($1, now())`, [monthStart(12)]);
      await client.query(
        `INSERT INTO history_entries (at, table_name, row_id, campaign_id, action, actor_id, changes)
         SELECT $2::timestamptz + (now() - $2::timestamptz) * (i::float / $1), 'characters', i % 100000,
                i % 1000, 'update', i % 500,
                jsonb_build_object('description', jsonb_build_object('from', 'old text ' || i, 'to', 'new text ' || i))
           FROM generate_series(1, $1) AS i`,
        [entries, monthStart(12)],
      );
      await client.query('VACUUM ANALYZE history_entries');
      await client.query('CHECKPOINT');
    });
    const count = (from: Date, to: Date) =>
      withClient(url, async (client) => {
        const { rows } = await client.query<{ n: string }>(
          'SELECT count(*)::text AS n FROM history_entries WHERE at >= $1 AND at < $2',
          [from, to],
        );
        return Number(rows[0]!.n);
      });

    // The three oldest months by the prune, the next three by one DELETE
    // (in that order, so the prune's figures do not include the vacuum of
    // the DELETE's dead rows).
    const pruneTo = monthStart(9);
    const deleteFrom = monthStart(9);
    const deleteTo = monthStart(6);
    const pruned = await count(monthStart(12), pruneTo);
    const deleted = await count(deleteFrom, deleteTo);
    const rows = [
      await measure(url, 'db:history-prune of 3 months', pruned, async () => {
        const client = await openStableClient(url, 'bench-history-prune');
        try {
          await runPrune(client, await planPrune(client, pruneTo), () => {});
        } finally {
          await client.end();
        }
      }),
      await measure(url, 'one DELETE of 3 months', deleted, () =>
        withClient(url, async (client) => {
          await client.query('DELETE FROM history_entries WHERE at >= $1 AND at < $2', [
            deleteFrom,
            deleteTo,
          ]);
        }).then(() => undefined),
      ),
    ];
    printTable(
      [
        'removal',
        'entries',
        'took',
        'WAL MB',
        'dead rows left',
        'writer inserts',
        'insert p99 ms',
        'insert max ms',
      ],
      rows,
    );
    console.log(machineLine(server.version));
    await server.admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
