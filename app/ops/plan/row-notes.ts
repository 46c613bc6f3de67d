import type pg from 'pg';
import { ARCHIVE_TABLE, type Derivation } from '../../db/migration-helpers/audit-archive';
import { AUDIT_DERIVATIONS } from '../../db/migration-helpers/audit-backfill';
import { AUDITED_TABLES, type AuditedTable } from '../audited-tables';
import { countBackfill } from '../backfill-rules';
import { ident } from '../../db/sql-identifier';
import { existingColumns } from '../references';
import type { RecordedStatement } from './sql-recorder';

function auditedTableIn(name: string): AuditedTable | undefined {
  return AUDITED_TABLES.find((table) => name.includes(table));
}

async function estimatedRows(client: pg.ClientBase, table: string): Promise<number> {
  const { rows } = await client.query<{ n: number | null }>(
    `SELECT greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = to_regclass($1)`,
    [table],
  );
  return Math.round(rows[0]?.n ?? 0);
}

async function countSql(client: pg.ClientBase, sql: string, params: unknown[] = []) {
  const { rows } = await client.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/** Audit values of `table` kept in the archive by a rollback; 0 when there is no archive. */
async function archivedValues(client: pg.ClientBase, table: string): Promise<number> {
  const { rows } = await client.query<{ found: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AS found`,
    [ARCHIVE_TABLE],
  );
  if (!rows[0]?.found) return 0;
  return countSql(
    client,
    'SELECT count(*) AS n FROM audit_archive.field_values WHERE table_name = $1',
    [table],
  );
}

/**
 * How many values dropping `table.column` discards, and how many of them the
 * down archives first: those the backfill would not derive again (the same
 * rule the down applies, from the migration helpers).
 */
async function droppedValuesNote(client: pg.ClientBase, table: string, column: string) {
  const total = await countSql(
    client,
    `SELECT count(*) AS n FROM ${ident(table)} WHERE ${ident(column)} IS NOT NULL`,
  );
  const derivation = (AUDIT_DERIVATIONS as Record<string, Record<string, Derivation>>)[table]?.[
    column
  ];
  if (!derivation) return `${table}.${column}: ${total} non-NULL value(s) dropped`;
  // Before the rollback runs there may be no archive yet: join an empty one.
  const archive = await archiveTableExists(client);
  const joins = (derivation.joins ?? '').replaceAll(
    ARCHIVE_TABLE,
    archive ? ARCHIVE_TABLE : EMPTY_ARCHIVE,
  );
  const kept = await countSql(
    client,
    `SELECT count(*) AS n FROM ${ident(table)} t ${joins}
      WHERE t.${ident(column)} IS NOT NULL AND t.${ident(column)} IS DISTINCT FROM (${derivation.expression})`,
  );
  return (
    `${table}.${column}: ${total} non-NULL value(s) dropped; the ${kept} the backfill ` +
    'would not derive again are archived first'
  );
}

const EMPTY_ARCHIVE =
  '(SELECT NULL::text AS table_name, NULL::text AS column_name, NULL::int AS row_id, NULL::int AS value WHERE false)';

async function archiveTableExists(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AS found`,
    [ARCHIVE_TABLE],
  );
  return rows[0]?.found ?? false;
}

/**
 * What a migration step would do to the target's rows, counted on the
 * target (read-only): rows a backfill fills or reverts, values a dropped
 * column takes to the archive, rows a VALIDATE or index build scans.
 */
export async function rowNotes(
  client: pg.ClientBase,
  migration: string,
  direction: 'up' | 'down',
  statements: RecordedStatement[],
): Promise<string[]> {
  const notes: string[] = [];
  const table = auditedTableIn(migration);
  if (table && migration.includes('backfill')) {
    if (direction === 'up') {
      const [counts] = await countBackfill(client, [table]);
      if (counts) {
        const stuck = counts.missing - counts.fillable;
        notes.push(
          `backfill: fills the audit fields of ${counts.fillable} row(s) of ${table} in keyset ` +
            'batches of about 50 ms, each its own transaction' +
            (stuck ? `; ${stuck} row(s) have no source value and stay NULL` : ''),
        );
      }
      const archived = await archivedValues(client, table);
      if (archived > 0) {
        notes.push(`restores ${archived} audit value(s) of ${table} kept by an earlier rollback`);
      }
    } else if ((await existingColumns(client)).has('audit_backfill_log.row_id')) {
      const n = await countSql(
        client,
        `SELECT count(*) AS n FROM audit_backfill_log WHERE table_name = $1`,
        [table],
      );
      notes.push(`reverts ${n} created_by value(s) of ${table} that the backfill wrote (logged)`);
    }
  }
  const columns = await existingColumns(client);
  for (const { sql } of statements) {
    const drop = /ALTER TABLE "(\w+)" DROP COLUMN (?:IF EXISTS )?"(\w+)"/i.exec(sql);
    if (drop && columns.has(`${drop[1]}.${drop[2]}`)) {
      notes.push(await droppedValuesNote(client, drop[1]!, drop[2]!));
    }
    const scan =
      /ALTER TABLE "(\w+)" VALIDATE CONSTRAINT/i.exec(sql) ??
      /CREATE INDEX CONCURRENTLY (?:IF NOT EXISTS )?"?\w+"? ON "(\w+)"/i.exec(sql);
    if (scan) {
      const verb = sql.includes('VALIDATE') ? 'validation scans' : 'index build scans';
      notes.push(
        `${verb} ~${await estimatedRows(client, scan[1]!)} row(s) of ${scan[1]}; writes continue`,
      );
    }
  }
  return collapse(notes);
}

/** Repeated notes (one per index of a table, say) become one line with a count. */
function collapse(notes: string[]): string[] {
  const counts = new Map<string, number>();
  for (const note of notes) counts.set(note, (counts.get(note) ?? 0) + 1);
  return [...counts].map(([note, n]) => (n > 1 ? `${note} (${n}x)` : note));
}
