import type pg from 'pg';
import { ident } from '../sql-identifier';

/*
 * Audit values recorded after the migration are real data, so rolling the
 * audit columns back must not lose them. Before a column is dropped, every
 * value the backfill would not derive again is copied here; re-applying the
 * migration restores them (the backfill prefers an archived value to its
 * rule) and deletes what it used. A value equal to the rule is derived
 * again from the inputs as they are then (see the README on this limit).
 *
 * The archive lives in its own schema, outside `public`: "the state before
 * the audit fields" means the app's schema exactly as it was, so the archive
 * must not show up in it. The schema exists only while it holds values; it
 * is dropped as soon as it is empty (after a re-apply or a purge).
 */
export const ARCHIVE_SCHEMA = 'audit_archive';
export const ARCHIVE_TABLE = `${ARCHIVE_SCHEMA}.field_values`;

/** Creates the archive schema and table if missing. */
export async function ensureArchive(client: pg.Client): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${ARCHIVE_SCHEMA}`);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${ARCHIVE_TABLE} (
       table_name text NOT NULL,
       column_name text NOT NULL,
       row_id integer NOT NULL,
       value integer NOT NULL,
       archived_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (table_name, column_name, row_id)
     )`,
  );
  await client.query(
    `COMMENT ON TABLE ${ARCHIVE_TABLE} IS 'Audit values kept when the audit migrations were rolled back; restored when they are re-applied. Purge with: npm run db:audit-archive -- --purge'`,
  );
}

/** True when the archive table exists. */
export async function archiveExists(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ exists: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AS exists`,
    [ARCHIVE_TABLE],
  );
  return rows[0]!.exists;
}

/** What the re-apply would compute for a column, to archive only what it could not. */
export interface Derivation {
  /** SQL expression over alias `t` (and `joins`): the value the backfill would give. */
  expression: string;
  /** Joins the expression needs, e.g. `JOIN campaigns c ON c.id = t.campaign_id`. */
  joins?: string;
}

/**
 * Copies into the archive the non-NULL values of `column` that the
 * re-apply would not derive again (replacing an older archived value of the
 * same row); returns the count. Values equal to the backfill rule are left
 * out: the re-apply gives them back, and skipping them keeps a rollback of
 * freshly backfilled tables fast (millions of derivable values, none to keep).
 * One set-based statement: it only reads the table, so writers go on.
 */
export async function archiveColumn(
  client: pg.Client,
  table: string,
  column: string,
  derived: Derivation,
): Promise<number> {
  await ensureArchive(client);
  const result = await client.query(
    `INSERT INTO ${ARCHIVE_TABLE} (table_name, column_name, row_id, value)
     SELECT $1, $2, t.id, t.${ident(column)} FROM ${ident(table)} t ${derived.joins ?? ''}
      WHERE t.${ident(column)} IS NOT NULL AND t.${ident(column)} IS DISTINCT FROM (${derived.expression})
     ON CONFLICT (table_name, column_name, row_id)
       DO UPDATE SET value = EXCLUDED.value, archived_at = EXCLUDED.archived_at`,
    [table, column],
  );
  return result.rowCount ?? 0;
}

/** Deletes the archived values of one table (after they were restored); returns the count. */
export async function forgetArchivedTable(client: pg.Client, table: string): Promise<number> {
  if (!(await archiveExists(client))) return 0;
  const result = await client.query(`DELETE FROM ${ARCHIVE_TABLE} WHERE table_name = $1`, [table]);
  return result.rowCount ?? 0;
}

/** Drops the archive schema if it holds no value, so an empty archive leaves no trace. */
export async function dropArchiveIfEmpty(client: pg.Client): Promise<boolean> {
  if (!(await archiveExists(client))) {
    await client.query(`DROP SCHEMA IF EXISTS ${ARCHIVE_SCHEMA}`);
    return true;
  }
  const { rows } = await client.query(`SELECT 1 FROM ${ARCHIVE_TABLE} LIMIT 1`);
  if (rows.length > 0) return false;
  await client.query(`DROP SCHEMA ${ARCHIVE_SCHEMA} CASCADE`);
  return true;
}

/** Archived values per table and column. */
export async function archiveSummary(
  client: pg.Client,
): Promise<{ table: string; column: string; values: number; oldest: Date }[]> {
  if (!(await archiveExists(client))) return [];
  const { rows } = await client.query<{
    table: string;
    column: string;
    values: string;
    oldest: Date;
  }>(
    `SELECT table_name AS table, column_name AS column, count(*) AS values, min(archived_at) AS oldest
       FROM ${ARCHIVE_TABLE} GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  return rows.map((r) => ({ ...r, values: Number(r.values) }));
}

/** Deletes the whole archive deliberately (an operator's decision); returns how many values went. */
export async function purgeArchive(client: pg.Client): Promise<number> {
  const summary = await archiveSummary(client);
  await client.query(`DROP SCHEMA IF EXISTS ${ARCHIVE_SCHEMA} CASCADE`);
  return summary.reduce((sum, s) => sum + s.values, 0);
}
