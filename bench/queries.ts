// The queries the seed promises the new indexes speed up, timed with
// EXPLAIN ANALYZE on a fully migrated database, with the audit indexes and
// without them (dropped inside a transaction that is rolled back, so both
// runs see the same data and the same cache).
import type pg from 'pg';
import { AUDITED_TABLES } from '../app/audit/audit-spec';
import { startBenchServer, withClient } from './support/bench-server';
import { createPreAuditDatabase, migrate } from './support/datasets';
import { envInt, machineLine, printTable, quantile } from './support/report';

const RUNS = 5;

interface Query {
  name: string;
  sql: string;
}

interface Timing {
  ms: number;
  rows: number;
  plan: string;
}

async function explain(client: pg.Client, sql: string): Promise<Timing> {
  const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(
    `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
  );
  const [result] = rows[0]!['QUERY PLAN'] as Array<{
    Plan: { 'Node Type': string; 'Actual Rows': number; Plans?: Array<{ 'Node Type': string }> };
    'Execution Time': number;
  }>;
  const plan = result!.Plan;
  const child = plan.Plans?.[0]?.['Node Type'];
  return {
    ms: result!['Execution Time'],
    rows: plan['Actual Rows'],
    plan:
      child && ['Limit', 'Sort', 'Gather', 'ModifyTable'].includes(plan['Node Type'])
        ? `${plan['Node Type']} > ${child}`
        : plan['Node Type'],
  };
}

/** Median of RUNS timings after one warm-up run. */
async function time(client: pg.Client, sql: string): Promise<Timing> {
  await explain(client, sql);
  const timings: Timing[] = [];
  for (let i = 0; i < RUNS; i++) timings.push(await explain(client, sql));
  const ms = quantile(
    timings.map((t) => t.ms),
    0.5,
  );
  return { ...timings[0]!, ms };
}

/** The indexes the audit migrations built (the specification's), to drop for the comparison. */
function auditIndexes(): string[] {
  return AUDITED_TABLES.flatMap((spec) => spec.indexes.map((index) => index.name));
}

async function main(): Promise<void> {
  const rows = envInt('BENCH_ROWS', 1_000_000);
  const server = await startBenchServer();
  try {
    console.log(`## Queries with and without the audit indexes, ${rows} rows per table\n`);
    console.error(`generating ${rows} rows per table and migrating...`);
    await createPreAuditDatabase(server, 'bench_queries', rows);
    await migrate(server, 'bench_queries');
    await withClient(server.url('bench_queries'), async (client) => {
      await client.query('VACUUM ANALYZE');
      const { rows: picks } = await client.query<{ creator: number; t: Date }>(
        `SELECT (SELECT created_by FROM characters ORDER BY id OFFSET (SELECT count(*) / 2 FROM characters) LIMIT 1) AS creator,
                (SELECT percentile_disc(0.8) WITHIN GROUP (ORDER BY created_at)
                   FROM characters WHERE created_at < '2080-01-01') AS t`,
      );
      const { creator, t } = picks[0]!;
      const at = `timestamptz '${t.toISOString()}'`;
      const queries: Query[] = [
        {
          name: 'latest-updated items (top 10)',
          sql: 'SELECT id, name, updated_at FROM items ORDER BY updated_at DESC LIMIT 10',
        },
        {
          name: 'characters created in the last 7 days (now())',
          sql: `SELECT id, name FROM characters WHERE created_at >= now() - interval '7 days'`,
        },
        {
          name: 'characters created in a 7-day window of the data',
          sql: `SELECT id, name FROM characters WHERE created_at >= ${at} - interval '7 days' AND created_at < ${at}`,
        },
        {
          name: 'characters by creator',
          sql: `SELECT id, name FROM characters WHERE created_by = ${creator}`,
        },
        {
          name: 'items modified by a user',
          sql: `SELECT id, name FROM items WHERE modified_by = ${creator}`,
        },
      ];
      const withIndexes = new Map<string, Timing>();
      for (const q of queries) withIndexes.set(q.name, await time(client, q.sql));
      const dropped = auditIndexes();
      const without = new Map<string, Timing>();
      await client.query('BEGIN');
      for (const name of dropped) await client.query(`DROP INDEX "${name}"`);
      for (const q of queries) without.set(q.name, await time(client, q.sql));
      await client.query('ROLLBACK');

      printTable(
        ['query', 'rows', 'with indexes', 'plan', 'without', 'plan ', 'speed-up'],
        queries.map((q) => {
          const a = withIndexes.get(q.name)!;
          const b = without.get(q.name)!;
          return [
            q.name,
            a.rows,
            `${a.ms.toFixed(3)} ms`,
            a.plan,
            `${b.ms.toFixed(3)} ms`,
            b.plan,
            `${(b.ms / a.ms).toFixed(1)}x`,
          ];
        }),
      );
      console.log(
        `median of ${RUNS} EXPLAIN ANALYZE runs after a warm-up; indexes dropped for "without": ${dropped.length}`,
      );
    });
    console.log(machineLine(server.version));
    await server.admin('DROP DATABASE IF EXISTS bench_queries WITH (FORCE)');
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
