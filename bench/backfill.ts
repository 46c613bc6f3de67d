// Backfill: our batched migration vs one set-based UPDATE per table (the
// physical floor) vs a row-by-row port of the original (one UPDATE per row,
// as Django's save(update_fields=...) loop did). Per audited table, each
// approach starts from the same data: a clone of the database just before
// that table's backfill (its audit columns added, not yet filled, no audit
// keys or indexes on it yet).
import type pg from 'pg';
import { AUDITED_TABLES, auditMigrationOf } from '../app/audit/audit-spec';
import { addedColumns } from '../app/registry';
import { ruleCreator, setBasedFillSql } from '../app/audit/rule-sql';
import { startBenchServer, withClient, type BenchServer } from './support/bench-server';
import {
  cloneDatabase,
  createPreAuditDatabase,
  migrate,
  migrationBefore,
} from './support/datasets';
import { duration, envInt, machineLine, msSince, printTable } from './support/report';

// The original's loop: fetch every row, then one UPDATE per row by id, all in
// one transaction (Django runs a RunPython migration atomically on PostgreSQL).
const rowByRow = (spec: (typeof AUDITED_TABLES)[number]) => ({
  select: `SELECT t.id, ${ruleCreator(spec)} AS v FROM ${spec.table} t ${spec.rule.joins ?? ''}
            ORDER BY t.id LIMIT $1`,
  update: `UPDATE ${spec.table} SET ${addedColumns(spec)
    .map(({ name }) => `${name} = $2`)
    .join(', ')} WHERE id = $1`,
});

type Spec = (typeof AUDITED_TABLES)[number];

async function timeOurs(server: BenchServer, db: string, spec: Spec): Promise<number> {
  const started = process.hrtime.bigint();
  await migrate(server, db, auditMigrationOf(spec.table, 'backfill'));
  return msSince(started);
}

async function timeSetBased(server: BenchServer, db: string, spec: Spec): Promise<number> {
  return withClient(server.url(db), async (client) => {
    const started = process.hrtime.bigint();
    await client.query(setBasedFillSql(spec));
    return msSince(started);
  });
}

/** Times the row-by-row loop on `sample` rows of the table; returns ms for the sample. */
async function timeRowByRow(
  server: BenchServer,
  db: string,
  spec: Spec,
  sample: number,
): Promise<number> {
  const { select, update } = rowByRow(spec);
  return withClient(server.url(db), async (client: pg.Client) => {
    const started = process.hrtime.bigint();
    await client.query('BEGIN');
    const { rows } = await client.query<{ id: number; v: number | null }>(select, [sample]);
    for (const row of rows) await client.query(update, [row.id, row.v]);
    await client.query('COMMIT');
    return msSince(started);
  });
}

async function tableRows(server: BenchServer, db: string, table: string): Promise<number> {
  return withClient(server.url(db), async (client) => {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
    return Number(rows[0]!.n);
  });
}

/**
 * Each audited table's backfill is timed on its own, from a clone of the
 * database just before that backfill migration (its audit columns added,
 * nothing filled yet): the tables' audit migrations were released at
 * different times, so no single state has every column added and none filled.
 */
async function main(): Promise<void> {
  const rows = envInt('BENCH_ROWS', 1_000_000);
  const sampleRows = envInt('BENCH_ROW_BY_ROW_SAMPLE', 20_000);
  const server = await startBenchServer();
  const base = 'bench_backfill_base';
  const run = 'bench_backfill_run';
  try {
    console.error(`generating ${rows} rows per table...`);
    await createPreAuditDatabase(server, base, rows);
    const specs = [...AUDITED_TABLES].sort((a, b) =>
      auditMigrationOf(a.table, 'backfill').localeCompare(auditMigrationOf(b.table, 'backfill')),
    );
    const approaches = [
      'set-based UPDATE (floor)',
      'ours: batched migration',
      'row by row (port of the original)',
    ];
    const ms = new Map<string, number[]>(approaches.map((name) => [name, []]));
    const counts: number[] = [];
    const notes: string[] = [];
    for (const spec of specs) {
      await migrate(server, base, migrationBefore(auditMigrationOf(spec.table, 'backfill')));
      await withClient(server.url(base), (c) => c.query('CHECKPOINT'));
      const n = await tableRows(server, base, spec.table);
      counts.push(n);
      const sample = Math.min(n, sampleRows);
      for (const [name, time] of [
        [approaches[0]!, (db: string) => timeSetBased(server, db, spec)],
        [approaches[1]!, (db: string) => timeOurs(server, db, spec)],
        [
          approaches[2]!,
          async (db: string) => ((await timeRowByRow(server, db, spec, sample)) * n) / sample,
        ],
      ] as const) {
        await cloneDatabase(server, base, run);
        console.error(`${spec.table}: ${name}...`);
        ms.get(name)!.push(await time(run));
      }
      if (sample < n) notes.push(`${spec.table}: row by row extrapolated from ${sample} rows`);
    }
    const total = counts.reduce((a, b) => a + b, 0);
    console.log(`## Backfill: ${rows} rows per content table (${total} rows in all)\n`);
    const floor = ms.get(approaches[0]!)!.reduce((a, b) => a + b, 0);
    printTable(
      [
        'approach',
        ...specs.map((s, i) => `${s.table} (${counts[i]})`),
        'total',
        'rows/s',
        'x floor',
      ],
      approaches.map((name) => {
        const times = ms.get(name)!;
        const sum = times.reduce((a, b) => a + b, 0);
        return [
          name,
          ...times.map(duration),
          duration(sum),
          Math.round(total / (sum / 1000)),
          (sum / floor).toFixed(2),
        ];
      }),
    );
    if (notes.length) console.log(`\n${notes.join('; ')}.`);
    console.log(machineLine(server.version));
    await server.admin(`DROP DATABASE IF EXISTS ${run} WITH (FORCE)`);
    await server.admin(`DROP DATABASE IF EXISTS ${base} WITH (FORCE)`);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
