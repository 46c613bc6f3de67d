import type pg from 'pg';
import { existingColumns } from '../db/catalog';
import { addedColumns, type TableDeclaration } from '../registry';
import { fillableCountSql } from './rule-sql';

/** Rows of one audited table by what the backfill would do with them. */
export interface BackfillCounts {
  table: string;
  /** Rows whose added audit columns are still empty (every row, before they exist). */
  missing: number;
  /** Of those, rows the rule can fill (the rest have no source value). */
  fillable: number;
}

/** Counts, with one scan per table, the rows the backfill would still touch. */
export async function countBackfill(
  client: pg.ClientBase,
  specs: readonly TableDeclaration[],
): Promise<BackfillCounts[]> {
  const columns = await existingColumns(client);
  const counts: BackfillCounts[] = [];
  for (const spec of specs) {
    if (!columns.has(`${spec.table}.id`)) continue;
    const columnsExist = addedColumns(spec).every(({ name }) =>
      columns.has(`${spec.table}.${name}`),
    );
    const { rows } = await client.query<{ missing: string; fillable: string }>(
      fillableCountSql(spec, columnsExist),
    );
    counts.push({
      table: spec.table,
      missing: Number(rows[0]?.missing ?? 0),
      fillable: Number(rows[0]?.fillable ?? 0),
    });
  }
  return counts;
}
