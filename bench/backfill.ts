// Backfill: our batched migration vs one set-based UPDATE per table (the
// physical floor) vs a row-by-row port of the original (one UPDATE per row,
// as Django's save(update_fields=...) loop did). Each approach
// starts from the same data: a clone of one database at "audit columns
// added, not yet filled", with no audit foreign keys or indexes yet.
import type pg from 'pg';
import { AUDITED_TABLES } from '../app/audit/audit-spec';
import { addedColumns } from '../app/audit/audited-table';
import { ruleCreator, setBasedFillSql } from '../app/audit/rule-sql';
import { startBenchServer, withClient, type BenchServer } from './support/bench-server';
import {
  LAST_ADD_COLUMNS,
  LAST_BACKFILL,
  cloneDatabase,
  createPreAuditDatabase,
  migrate,
} from './support/datasets';
import { duration, envInt, machineLine, msSince, printTable } from './support/report';

// The original's loop: fetch every row, then one UPDATE per row by id, all in
// one transaction (Django runs a RunPython migration atomically on PostgreSQL).
const ROW_BY_ROW = AUDITED_TABLES.map((spec) => ({
  select: `SELECT t.id, ${ruleCreator(spec)} AS v FROM ${spec.table} t ${spec.rule.joins ?? ''}
            ORDER BY t.id LIMIT $1`,
  update: `UPDATE ${spec.table} SET ${addedColumns(spec)
    .map(({ name }) => `${name} = $2`)
    .join(', ')} WHERE id = $1`,
}));

async function timeOurs(server: BenchServer, db: string): Promise<number> {
  const started = process.hrtime.bigint();
  await migrate(server, db, LAST_BACKFILL);
  return msSince(started);
}

async function timeSetBased(server: BenchServer, db: string): Promise<number> {
  return withClient(server.url(db), async (client) => {
    const started = process.hrtime.bigint();
    for (const spec of AUDITED_TABLES) await client.query(setBasedFillSql(spec));
    return msSince(started);
  });
}

/** Times the row-by-row loop on `sample` rows per table; returns ms for the sample. */
async function timeRowByRow(server: BenchServer, db: string, sample: number): Promise<number> {
  return withClient(server.url(db), async (client: pg.Client) => {
    const started = process.hrtime.bigint();
    await client.query('BEGIN');
    for (const { select, update } of ROW_BY_ROW) {
      const { rows } = await client.query<{ id: number; v: number | null }>(select, [sample]);
      for (const row of rows) await client.query(update, [row.id, row.v]);
    }
    await client.query('COMMIT');
    return msSince(started);
  });
}

async function main(): Promise<void> {
  const rows = envInt('BENCH_ROWS', 1_000_000);
  const sample = Math.min(rows, envInt('BENCH_ROW_BY_ROW_SAMPLE', 20_000));
  const server = await startBenchServer();
  try {
    console.log(`## Backfill: ${rows} rows per table (${rows * 3} in all)\n`);
    console.error(`generating ${rows} rows per table...`);
    await createPreAuditDatabase(server, 'bench_backfill_base', rows);
    await migrate(server, 'bench_backfill_base', LAST_ADD_COLUMNS);
    await withClient(server.url('bench_backfill_base'), (c) => c.query('CHECKPOINT'));

    const results: Array<{ name: string; ms: number; note: string }> = [];
    for (const [name, run] of [
      ['set-based UPDATE per table (floor)', timeSetBased],
      ['ours: batched migrations', timeOurs],
    ] as const) {
      await cloneDatabase(server, 'bench_backfill_base', 'bench_backfill_run');
      console.error(`running: ${name}...`);
      results.push({ name, ms: await run(server, 'bench_backfill_run'), note: 'measured' });
    }
    await cloneDatabase(server, 'bench_backfill_base', 'bench_backfill_run');
    console.error(`running: row by row on ${sample} rows per table...`);
    const sampleMs = await timeRowByRow(server, 'bench_backfill_run', sample);
    results.push({
      name: 'row by row (port of the original)',
      ms: (sampleMs * rows) / sample,
      note:
        sample < rows
          ? `extrapolated from ${sample} rows/table (${duration(sampleMs)})`
          : 'measured',
    });

    const floor = results[0]!.ms;
    printTable(
      ['approach', 'total', 'rows/s', 'x floor', 'how'],
      results.map((r) => [
        r.name,
        duration(r.ms),
        Math.round((rows * 3) / (r.ms / 1000)),
        (r.ms / floor).toFixed(2),
        r.note,
      ]),
    );
    console.log(machineLine(server.version));
    await server.admin('DROP DATABASE IF EXISTS bench_backfill_run WITH (FORCE)');
    await server.admin('DROP DATABASE IF EXISTS bench_backfill_base WITH (FORCE)');
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
