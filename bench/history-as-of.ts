// Rows as they were, at scale: a fully migrated database holding
// BENCH_AS_OF_ROWS (1M) characters, items and locations, made before any
// capture (so they are read back from the row, as rows from before the
// history are), BENCH_AS_OF_ENTRIES (10M) history entries spread over 12
// months (bench/support/history-fill.ts), then one campaign of
// BENCH_AS_OF_CAMPAIGN_ROWS (10,000) rows per kind receiving
// BENCH_AS_OF_CHANGES (100,000) real changes after the time T asked for:
// updates, deletes and creates through the capture triggers. Measures, as
// the API's services run them (access check and time bounds included):
//   - ?asOf=T of one row (random rows of that campaign): p50, p95;
//   - /snapshot?at=T, 100-row pages, every page of the campaign: p50, max.
// A smaller run: BENCH_AS_OF_ENTRIES=1000000 BENCH_AS_OF_ROWS=100000.
import type pg from 'pg';
import { QueryTypes } from 'sequelize';
import { HISTORY_TABLE } from '../app/history/captured-table';
import { ENSURE_PARTITIONS_FUNCTION } from '../app/history/partition-sql';
import { createSequelize } from '../app/db/sequelize';
import { OLDEST_ENTRY_SQL, rowsBackSql, snapshotCandidatesSql } from '../app/history/as-of-sql';
import { AsOfService } from '../app/services/as-of-service';
import { SnapshotService } from '../app/services/snapshot-service';
import type { SnapshotPosition } from '../app/services/snapshot-cursor';
import { initModels } from '../models';
import { runBench, withClient, type BenchServer } from './support/bench-server';
import { migrate } from './support/datasets';
import { historyFillSql, HISTORY_SHAPE } from './support/history-fill';
import { duration, envInt, msSince, printTable, quantile } from './support/report';

const DATABASE = 'bench_history_as_of';
const ENTRIES = envInt('BENCH_AS_OF_ENTRIES', 10_000_000);
const ROWS = envInt('BENCH_AS_OF_ROWS', 1_000_000);
const CAMPAIGN_ROWS = envInt('BENCH_AS_OF_CAMPAIGN_ROWS', 10_000);
const CHANGES = envInt('BENCH_AS_OF_CHANGES', 100_000);
const SAMPLES = envInt('BENCH_AS_OF_SAMPLES', 200);
const TABLES = ['characters', 'items', 'locations'] as const;
/** The campaign measured; the others (one per 100 rows) hold the rest. */
const TARGET = 1;
const USERS = 1000;

if (process.argv.includes('--help')) {
  console.log(`Usage: npm run bench:history-as-of

Times ?asOf= of one row and 100-row /snapshot pages after ${CHANGES} changes
since the time asked for, over a history of ${ENTRIES} entries and ${ROWS} rows
per table. Environment: BENCH_AS_OF_ENTRIES, BENCH_AS_OF_ROWS,
BENCH_AS_OF_CAMPAIGN_ROWS, BENCH_AS_OF_CHANGES, BENCH_AS_OF_SAMPLES (smaller
values for a quick run), BENCH_DATABASE_URL (a server to use instead of an
embedded one; its role needs CREATEDB).`);
  process.exit(0);
}

async function timed(label: string, fn: () => Promise<unknown>) {
  const started = process.hrtime.bigint();
  await fn();
  console.error(`${label}: ${duration(msSince(started))}`);
}

/** Users, campaigns, memberships and rows, made with no trigger (as before the history). */
async function fillRows(client: pg.Client): Promise<void> {
  const campaigns = Math.max(10, Math.floor(ROWS / 100));
  await client.query(`SET session_replication_role = replica`);
  await client.query(
    `INSERT INTO users (username, email, password_hash, display_name, created_at, updated_at)
     SELECT 'user' || i, 'user' || i || '@example.test', 'x', 'User ' || i, now(), now()
       FROM generate_series(1, ${USERS}) i`,
  );
  await client.query(
    `INSERT INTO campaigns (name, owner_id, created_by, modified_by, created_at, updated_at)
     SELECT 'Campaign ' || i, 1 + i % ${USERS}, 1 + i % ${USERS}, 1 + i % ${USERS}, now(), now()
       FROM generate_series(1, ${campaigns}) i`,
  );
  await client.query(
    `INSERT INTO campaign_memberships (campaign_id, user_id, role, created_at, updated_at)
     SELECT id, owner_id, 'OWNER', now(), now() FROM campaigns`,
  );
  for (const table of TABLES) {
    const player = table === 'characters' ? ', player_owner_id' : '';
    const playerValue = table === 'characters' ? `, 1 + i % ${USERS}` : '';
    // Every (ROWS / CAMPAIGN_ROWS)-th row is the target campaign's, the rest spread over the others.
    const every = Math.max(1, Math.floor(ROWS / CAMPAIGN_ROWS));
    await client.query(
      `INSERT INTO ${table} (name, description, campaign_id${player}, created_by, modified_by, created_at, updated_at)
       SELECT 'Row ' || i, md5(i::text),
              CASE WHEN i % ${every} = 0 THEN ${TARGET} ELSE 2 + i % ${campaigns - 1} END
              ${playerValue}, 1 + i % ${USERS}, 1 + i % ${USERS},
              now() - interval '13 months', now() - interval '13 months'
         FROM generate_series(1, ${ROWS}) i`,
    );
  }
  await client.query(`SET session_replication_role = origin`);
}

/** The synthetic history, loaded with its secondary indexes set aside and built after. */
async function fillHistory(client: pg.Client): Promise<void> {
  await client.query(
    `SELECT ${ENSURE_PARTITIONS_FUNCTION}(date_trunc('month', now()) - interval '${HISTORY_SHAPE.months - 1} months', now())`,
  );
  const { rows } = await client.query<{ name: string; definition: string }>(
    `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
      WHERE tablename = $1 AND indexname <> $2`,
    [HISTORY_TABLE, `${HISTORY_TABLE}_pkey`],
  );
  for (const { name } of rows) await client.query(`DROP INDEX "${name}"`);
  const chunk = 1_000_000;
  for (let from = 1; from <= ENTRIES; from += chunk) {
    const to = Math.min(ENTRIES, from + chunk - 1);
    await client.query(historyFillSql(), [from, to, ENTRIES]);
  }
  await client.query(`SELECT setval('history_entries_id_seq', $1)`, [ENTRIES]);
  await client.query(`SET maintenance_work_mem = '512MB'`);
  for (const { definition } of rows) await client.query(definition.replace(' ON ONLY ', ' ON '));
}

/** CHANGES real changes of the target campaign's rows: 90 % updates, 5 % deletes, 5 % creates. */
async function change(client: pg.Client): Promise<void> {
  const perTable = Math.floor(CHANGES / TABLES.length);
  const batch = 2000;
  for (const table of TABLES) {
    const deletes = Math.floor(perTable * 0.05);
    const creates = Math.floor(perTable * 0.05);
    for (let done = 0; done < perTable - deletes - creates; done += batch) {
      const n = Math.min(batch, perTable - deletes - creates - done);
      await client.query(
        `UPDATE ${table} SET description = md5(random()::text),
                name = CASE WHEN random() < 0.3 THEN 'Renamed ' || id ELSE name END
          WHERE id IN (SELECT id FROM ${table} WHERE campaign_id = ${TARGET}
                        ORDER BY random() LIMIT ${n})`,
      );
    }
    await client.query(
      `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE campaign_id = ${TARGET}
                                          ORDER BY random() LIMIT ${deletes})`,
    );
    const player = table === 'characters' ? ', player_owner_id' : '';
    const playerValue = table === 'characters' ? ', 1' : '';
    await client.query(
      `INSERT INTO ${table} (name, description, campaign_id${player}, created_at, updated_at)
       SELECT 'New ' || i, '', ${TARGET}${playerValue}, now(), now() FROM generate_series(1, ${creates}) i`,
    );
  }
}

async function build(server: BenchServer): Promise<string> {
  await server.admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await server.admin(`CREATE DATABASE ${DATABASE}`);
  await timed('migrate', () => migrate(server, DATABASE));
  const url = server.url(DATABASE);
  return withClient(url, async (client) => {
    await timed(`rows (${ROWS} per table)`, () => fillRows(client));
    await timed(`history (${ENTRIES} entries)`, () => fillHistory(client));
    await client.query('VACUUM ANALYZE');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const { rows } = await client.query<{ at: string }>(
      `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at`,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    await timed(`changes after T (${CHANGES})`, () => change(client));
    await client.query('VACUUM ANALYZE');
    return rows[0]!.at;
  });
}

/** EXPLAIN (ANALYZE, BUFFERS) of the reads one asOf and one snapshot page make, to stderr. */
async function explainReads(
  sequelize: ReturnType<typeof createSequelize>,
  at: string,
  sample: { kind: string; id: number },
): Promise<void> {
  const table = `${sample.kind}s`;
  const reads: Array<[string, string, unknown[]]> = [
    ['oldest entry', OLDEST_ENTRY_SQL, []],
    [`${sample.kind} ${sample.id} read back`, rowsBackSql(table), [[sample.id], at]],
    ['first candidates of items', snapshotCandidatesSql('items'), [TARGET, 0, 'items', at, 101]],
  ];
  for (const [label, sql, bind] of reads) {
    const plan = await sequelize.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS) ${sql}`,
      { bind, type: QueryTypes.SELECT },
    );
    console.error(`--- ${label}\n${plan.map((row) => row['QUERY PLAN']).join('\n')}`);
  }
}

runBench(async (server) => {
  const at = await build(server);
  const sequelize = createSequelize(server.url(DATABASE), { pool: { max: 2 } });
  initModels(sequelize);
  try {
    const [owner] = await sequelize.query<{ owner_id: number }>(
      `SELECT owner_id FROM campaigns WHERE id = ${TARGET}`,
      { type: QueryTypes.SELECT },
    );
    const userId = owner!.owner_id;
    const [counts] = await sequelize.query<{ entries: string; since: string }>(
      `SELECT count(*)::text AS entries, count(*) FILTER (WHERE at > $1)::text AS since FROM ${HISTORY_TABLE}`,
      { bind: [at], type: QueryTypes.SELECT },
    );
    const asOf = new AsOfService(sequelize);
    const snapshots = new SnapshotService(sequelize);

    const samples = await sequelize.query<{ kind: string; id: number }>(
      `SELECT kind, id FROM (
         ${TABLES.map((t) => `SELECT '${t.slice(0, -1)}' AS kind, id FROM ${t} WHERE campaign_id = ${TARGET} AND id <= ${ROWS}`).join(' UNION ALL ')}
       ) s ORDER BY md5(kind || id) LIMIT ${SAMPLES}`,
      { type: QueryTypes.SELECT },
    );
    const rowTimes: number[] = [];
    for (const [i, sample] of samples.entries()) {
      const started = process.hrtime.bigint();
      await asOf.get(sample.kind as 'item', sample.id, userId, at);
      if (i >= 10) rowTimes.push(msSince(started)); // the first few warm the cache
    }

    await explainReads(sequelize, at, samples[0]!);

    const pageTimes: number[] = [];
    let slowest = { ms: 0, after: 'first page' };
    let cursor: SnapshotPosition | undefined;
    let rowsSeen = 0;
    do {
      const started = process.hrtime.bigint();
      const page = await snapshots.page(TARGET, userId, at, { limit: 100, cursor });
      const ms = msSince(started);
      pageTimes.push(ms);
      if (ms > slowest.ms)
        slowest = { ms, after: cursor ? `${cursor.kind} ${cursor.id}` : 'first page' };
      rowsSeen += page.rows.length;
      cursor = page.next ?? undefined;
    } while (cursor);

    console.error(`slowest page: ${duration(slowest.ms)}, after ${slowest.after}`);
    console.log(
      `\n${counts!.entries} history entries, ${counts!.since} after T=${at}; ${ROWS} rows per table, ` +
        `campaign ${TARGET}: ${CAMPAIGN_ROWS} rows per kind; ${rowsSeen} rows in its snapshot\n`,
    );
    printTable(
      ['measure', 'n', 'p50', 'p95', 'max', 'target'],
      [
        [
          '?asOf=T, one row',
          rowTimes.length,
          duration(quantile(rowTimes, 0.5)),
          duration(quantile(rowTimes, 0.95)),
          duration(Math.max(...rowTimes)),
          '< 5 ms',
        ],
        [
          '/snapshot?at=T, 100-row page',
          pageTimes.length,
          duration(quantile(pageTimes, 0.5)),
          duration(quantile(pageTimes, 0.95)),
          duration(Math.max(...pageTimes)),
          '< 50 ms',
        ],
      ],
    );
  } finally {
    await sequelize.close();
  }
});
