import type pg from 'pg';
import { AUDITED_TABLES } from '../../audit/audit-spec';
import { addedColumns, type AuditColumnName, type TableDeclaration } from '../../registry';
import { BACKFILL_LOG_TABLE } from '../../db/migration-lib/backfill-log';
import { countBackfill } from '../../audit/backfill-counts';
import { derivation } from '../../audit/rule-sql';
import { existingColumns } from '../../db/catalog';
import { ARCHIVE_TABLE } from '../../db/migration-lib/audit-archive';
import type { MigrationMeta } from '../../db/migration-meta';
import { ident } from '../../db/sql-identifier';
import { migrationCatalog } from '../../db/migration-files';

/** The audited table whose audit migrations include `migration`, and which step it is. */
function auditStep(migration: string) {
  const meta = migrationCatalog().find((entry) => entry.name === migration)?.meta;
  const spec = AUDITED_TABLES.find((table) => table.table === meta?.table);
  return spec && meta?.audit ? { spec, step: meta.audit } : undefined;
}

async function countOf(client: pg.ClientBase, sql: string, params: unknown[] = []) {
  const { rows } = await client.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

async function estimatedRows(client: pg.ClientBase, table: string): Promise<number> {
  const { rows } = await client.query<{ n: number | null }>(
    `SELECT greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = to_regclass($1)`,
    [ident(table)],
  );
  return Math.round(rows[0]?.n ?? 0);
}

async function archiveExists(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AS found`,
    [ARCHIVE_TABLE],
  );
  return rows[0]?.found ?? false;
}

// Before a rollback has run there may be no archive yet: the derivation joins an empty one.
const EMPTY_ARCHIVE =
  '(SELECT NULL::text AS table_name, NULL::text AS column_name, NULL::int AS row_id, NULL::int AS value WHERE false)';

/**
 * How many values dropping an audit column discards, and how many of them
 * the down archives first: those the backfill would not derive again (the
 * same derivation the down uses).
 */
async function droppedValuesNote(
  client: pg.ClientBase,
  spec: TableDeclaration,
  column: AuditColumnName,
): Promise<string> {
  const table = ident(spec.table);
  const total = await countOf(
    client,
    `SELECT count(*) AS n FROM ${table} WHERE ${ident(column)} IS NOT NULL`,
  );
  const derived = derivation(spec, column);
  const joins = (await archiveExists(client))
    ? (derived.joins ?? '')
    : (derived.joins ?? '').replaceAll(ARCHIVE_TABLE, EMPTY_ARCHIVE);
  const kept = await countOf(
    client,
    `SELECT count(*) AS n FROM ${table} t ${joins}
      WHERE t.${ident(column)} IS NOT NULL AND t.${ident(column)} IS DISTINCT FROM (${derived.expression})`,
  );
  return (
    `${spec.table}.${column}: ${total} non-NULL value(s) dropped; the ${kept} the backfill ` +
    'would not derive again are archived first'
  );
}

async function backfillNotes(
  client: pg.ClientBase,
  spec: TableDeclaration,
  direction: 'up' | 'down',
): Promise<string[]> {
  if (direction === 'down') {
    if (!spec.columns.created_by.existedBefore) return [];
    if (!(await existingColumns(client)).has(`${BACKFILL_LOG_TABLE}.row_id`)) return [];
    const n = await countOf(
      client,
      `SELECT count(*) AS n FROM ${BACKFILL_LOG_TABLE} WHERE table_name = $1`,
      [spec.table],
    );
    return [`reverts ${n} created_by value(s) of ${spec.table} that the backfill wrote (logged)`];
  }
  const notes: string[] = [];
  const [counts] = await countBackfill(client, [spec]);
  if (counts) {
    const stuck = counts.missing - counts.fillable;
    notes.push(
      `backfill: fills the audit fields of ${counts.fillable} row(s) of ${spec.table} in keyset ` +
        'batches of about 50 ms, each its own transaction' +
        (stuck ? `; ${stuck} row(s) have no source value and stay NULL` : ''),
    );
  }
  if (await archiveExists(client)) {
    const archived = await countOf(
      client,
      `SELECT count(*) AS n FROM ${ARCHIVE_TABLE} WHERE table_name = $1`,
      [spec.table],
    );
    if (archived > 0) {
      notes.push(
        `restores ${archived} audit value(s) of ${spec.table} kept by an earlier rollback`,
      );
    }
  }
  return notes;
}

/**
 * What a migration step would do to the target's rows, counted on the
 * target (read-only), from what the migration declares (its kind and table)
 * and, for audit migrations, the audit specification: rows a backfill fills
 * or reverts, values a dropped audit column takes to the archive, rows a
 * VALIDATE or an index build scans.
 */
export async function rowNotes(
  client: pg.ClientBase,
  migration: string,
  meta: MigrationMeta,
  direction: 'up' | 'down',
): Promise<string[]> {
  const audit = auditStep(migration);
  if (audit?.step === 'backfill' || audit?.step === 'catch-up') {
    return backfillNotes(client, audit.spec, direction);
  }
  if (audit?.step === 'columns' && direction === 'down') {
    const columns = await existingColumns(client);
    const notes: string[] = [];
    for (const { name } of addedColumns(audit.spec)) {
      if (columns.has(`${audit.spec.table}.${name}`)) {
        notes.push(await droppedValuesNote(client, audit.spec, name));
      }
    }
    return notes;
  }
  if (direction === 'up' && (meta.kind === 'index' || meta.kind === 'key')) {
    const scans = audit
      ? meta.kind === 'index'
        ? audit.spec.indexes.length
        : audit.spec.foreignKeys.length
      : 1;
    const verb = meta.kind === 'index' ? 'index build scans' : 'validation scans';
    const note = `${verb} ~${await estimatedRows(client, meta.table)} row(s) of ${meta.table}; writes continue`;
    return [scans > 1 ? `${note} (${scans}x)` : note];
  }
  return [];
}
