import type { QueryInterface } from 'sequelize';
import { archiveColumn, dropArchiveIfEmpty, type Derivation } from '../audit-archive';
import { ident } from '../../sql-identifier';
import { withMigrationClient } from '../migration-client';
import { runOnlineDdl } from '../online-ddl';

/** A new audit column: an integer user id, with the comment that documents it. */
export interface AuditColumn {
  name: string;
  comment: string;
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

/**
 * Adds nullable integer columns without a default (a catalog-only change,
 * no table rewrite) and their comments, in one short transaction with a
 * short lock_timeout. Foreign keys and indexes come in later migrations,
 * after the backfill, which runs about 3x faster on bare columns.
 */
export async function addAuditColumns(
  queryInterface: QueryInterface,
  table: string,
  columns: AuditColumn[],
): Promise<void> {
  await withMigrationClient(queryInterface, async (client) => {
    const statements = columns.flatMap((column) => [
      `ALTER TABLE ${ident(table)} ADD COLUMN IF NOT EXISTS ${ident(column.name)} integer`,
      `COMMENT ON COLUMN ${ident(table)}.${ident(column.name)} IS '${column.comment.replace(/'/g, "''")}'`,
    ]);
    await runOnlineDdl(client, statements, [table]);
  });
}

/**
 * Archives the columns' values that the backfill would not derive again
 * (values recorded by the app since the migration: real data), then drops
 * the columns. The archive is read back when the migration is applied
 * again. A re-run after a crash is safe: the archive upserts, the drop says
 * IF EXISTS.
 */
export async function dropAuditColumns(
  queryInterface: QueryInterface,
  table: string,
  columns: Record<string, Derivation>,
): Promise<void> {
  await withMigrationClient(queryInterface, async (client) => {
    const existing = await client.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = $1 AND column_name = ANY($2)`,
      [table, Object.keys(columns)],
    );
    for (const { column_name: column } of existing.rows) {
      const kept = await archiveColumn(client, table, column, columns[column]!);
      if (kept > 0) progress(`${table}.${column}: ${kept} value(s) kept in the audit archive`);
    }
    await runOnlineDdl(
      client,
      Object.keys(columns).map(
        (c) => `ALTER TABLE ${ident(table)} DROP COLUMN IF EXISTS ${ident(c)}`,
      ),
      [table],
    );
    await dropArchiveIfEmpty(client);
  });
}
