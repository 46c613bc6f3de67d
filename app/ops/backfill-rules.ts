import type pg from 'pg';
import type { AuditedTable } from './audited-tables';
import { existingColumns } from './references';

/** Rows of one audited table by what the backfill would do with them. */
export interface BackfillCounts {
  table: AuditedTable;
  /** Rows whose audit fields are still (partly) empty. */
  missing: number;
  /** Of those, rows the rules can fill (the rest have no source value). */
  fillable: number;
}

/*
 * The backfill rules, as the audit migrations apply them:
 * - characters: created_by = modified_by = player_owner_id (never NULL);
 * - items, locations: modified_by = created_by, and where created_by is
 *   NULL both take the campaign owner's id; with no owner either, the row
 *   cannot be filled and stays NULL.
 * Before the columns exist every row counts as missing.
 */
function countSql(table: AuditedTable, hasColumns: boolean): string {
  if (table === 'characters') {
    const missing = hasColumns ? 't.created_by IS NULL OR t.modified_by IS NULL' : 'TRUE';
    return `SELECT count(*) AS missing, count(*) FILTER (WHERE t.player_owner_id IS NOT NULL) AS fillable
              FROM characters t WHERE ${missing}`;
  }
  const missing = hasColumns ? 't.modified_by IS NULL' : 'TRUE';
  return `SELECT count(*) AS missing,
                 count(*) FILTER (WHERE t.created_by IS NOT NULL OR c.owner_id IS NOT NULL) AS fillable
            FROM ${table} t LEFT JOIN campaigns c ON c.id = t.campaign_id WHERE ${missing}`;
}

/** Counts, with one scan per table, the rows the backfill would still touch. */
export async function countBackfill(
  client: pg.ClientBase,
  tables: readonly AuditedTable[],
): Promise<BackfillCounts[]> {
  const columns = await existingColumns(client);
  const counts: BackfillCounts[] = [];
  for (const table of tables) {
    if (!columns.has(`${table}.id`)) continue;
    const hasColumns = columns.has(`${table}.modified_by`) && columns.has(`${table}.created_by`);
    const { rows } = await client.query<{ missing: string; fillable: string }>(
      countSql(table, hasColumns),
    );
    counts.push({
      table,
      missing: Number(rows[0]?.missing ?? 0),
      fillable: Number(rows[0]?.fillable ?? 0),
    });
  }
  return counts;
}
