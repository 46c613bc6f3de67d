import type pg from 'pg';
import type { CheckResult } from '../check-report';
import { ident } from '../../db/sql-identifier';

/**
 * Rows per second the whole audit migration got through, all tables
 * together, on the reference machine under a concurrent writer (47k at 200k
 * rows per table on a loaded machine, 66k at 1M: bench/RESULTS.md,
 * "Online-ness"), rounded down for margin; used only for the estimate, and
 * overridable with --rows-per-second.
 */
export const DEFAULT_ROWS_PER_SECOND = 40_000;

/** Size of one table: estimated rows (exact for never-analysed tables) and bytes on disk. */
export interface TableSize {
  table: string;
  rows: number;
  exact: boolean;
  bytes: number;
}

/** Row estimates from pg_class (free), or an exact count where the table was never analysed. */
export async function tableSizes(
  client: pg.ClientBase,
  tables: readonly string[],
): Promise<TableSize[]> {
  const sizes: TableSize[] = [];
  for (const table of tables) {
    const { rows } = await client.query<{ estimate: number; bytes: string }>(
      `SELECT c.reltuples::float8 AS estimate, pg_total_relation_size(c.oid) AS bytes
         FROM pg_class c WHERE c.oid = to_regclass($1)`,
      [table],
    );
    const row = rows[0];
    if (!row) continue;
    let count = row.estimate;
    let exact = false;
    if (count < 0) {
      // Never analysed (-1): a new or small table, so counting it is cheap enough.
      const counted = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${ident(table)}`,
      );
      count = Number(counted.rows[0]?.n ?? 0);
      exact = true;
    }
    sizes.push({ table, rows: Math.round(count), exact, bytes: Number(row.bytes) });
  }
  return sizes;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
}

/** The preflight line for table sizes, with the migration's estimated duration. */
export async function checkTableSizes(
  client: pg.ClientBase,
  tables: readonly string[],
  rowsPerSecond: number,
): Promise<CheckResult> {
  const sizes = await tableSizes(client, tables);
  const total = sizes.reduce((sum, s) => sum + s.rows, 0);
  return {
    name: 'table sizes',
    status: 'ok',
    summary:
      `${total} rows in ${sizes.length} tables; the audit migration should take about ` +
      `${duration(total / rowsPerSecond)} at ${rowsPerSecond} rows/s (writes continue meanwhile)`,
    details: sizes.map(
      (s) =>
        `${s.table}: ${s.exact ? '' : '~'}${s.rows} rows, ${megabytes(s.bytes)}, ` +
        `~${duration(s.rows / rowsPerSecond)}`,
    ),
  };
}
