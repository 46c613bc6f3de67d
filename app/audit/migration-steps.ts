import type { QueryInterface } from 'sequelize';
import {
  ARCHIVE_TABLE,
  archiveColumn,
  archiveExists,
  type Derivation,
  dropArchiveIfEmpty,
  ensureArchive,
  forgetArchivedTable,
} from '../db/migration-lib/audit-archive';
import { withMigrationClient } from '../db/migration-lib/migration-client';
import { BACKFILL_LOG_TABLE, revertLoggedCreatorsPass } from '../db/migration-lib/backfill-log';
import { runBatchedPass } from '../db/migration-lib/batched-pass';
import {
  countUnrecorded,
  describeRestored,
  describeUnrecorded,
  restoreRecordedFills,
} from '../db/migration-lib/recorded-fills';
import {
  createIndexConcurrently,
  dropIndexConcurrently,
} from '../db/migration-lib/concurrent-index';
import { addUserForeignKeyOnline, dropUserForeignKey } from '../db/migration-lib/foreign-key';
import { migrationLog } from '../db/migration-lib/migration-log';
import { runOnlineDdl } from '../db/migration-lib/online-ddl';
import type { BuiltMigration } from '../db/migration-lib/built-migration';
import { ident } from '../db/sql-identifier';
import { addedColumns, type AuditColumnName, type TableDeclaration } from '../registry';
import { backfillStatements, derivation } from './rule-sql';
import { installAuditTriggers, removeAuditTriggers } from './trigger-sql';

/*
 * The four steps that audit a table, each built from the table's one
 * declaration, and each its own migration file:
 *   columns   nullable, no default (catalog only), with comments; one short
 *             transaction with a short lock_timeout. Down: archives the
 *             values the rule would not derive again, then drops them.
 *   backfill  keyset batches of about 50 ms, each its own transaction,
 *             touching only rows still NULL: resumable. Archived values win
 *             over the rule. Down: restores exactly what the up wrote, as
 *             the app's runner recorded it (recorded-fills.ts); without a
 *             record, reverts the logged fills of a created_by that existed
 *             before, as it did before the record existed, and says so.
 *   keys      NOT VALID, then VALIDATE (writers continue). Down: drops them.
 *   indexes   CREATE INDEX CONCURRENTLY, an INVALID leftover dropped first.
 *             Down: drops them concurrently.
 * None but `columns` is one transaction; each is written to be re-run.
 */

/** Adds the table's new audit columns and their comments, in one short transaction. */
export async function addAuditColumns(qi: QueryInterface, spec: TableDeclaration): Promise<void> {
  await withMigrationClient(qi, (client) =>
    runOnlineDdl(
      client,
      addedColumns(spec).flatMap(({ name, comment }) => [
        `ALTER TABLE ${ident(spec.table)} ADD COLUMN IF NOT EXISTS ${ident(name)} integer`,
        `COMMENT ON COLUMN ${ident(spec.table)}.${ident(name)} IS '${comment.replace(/'/g, "''")}'`,
      ]),
      [spec.table],
    ),
  );
}

/**
 * Archives the values of the new columns that the backfill would not derive
 * again (values recorded since the migration: real data), then drops the
 * columns. A re-run after a crash is safe: the archive upserts, the drop
 * says IF EXISTS. `derive` is the rule the archive compares with; the
 * 2026-11-24 migrations pass the one they were released with (v1).
 */
export async function dropAuditColumns(
  qi: QueryInterface,
  spec: TableDeclaration,
  derive: (column: AuditColumnName) => Derivation = (column) => derivation(spec, column),
): Promise<void> {
  await withMigrationClient(qi, async (client) => {
    const names = addedColumns(spec).map((column) => column.name);
    const { rows } = await client.query<{ column_name: 'created_by' | 'modified_by' }>(
      `SELECT column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = $1 AND column_name = ANY($2)`,
      [spec.table, names],
    );
    for (const { column_name: column } of rows) {
      const kept = await archiveColumn(client, spec.table, column, derive(column));
      if (kept > 0)
        migrationLog(`${spec.table}.${column}: ${kept} value(s) kept in the audit archive`);
    }
    await runOnlineDdl(
      client,
      names.map((c) => `ALTER TABLE ${ident(spec.table)} DROP COLUMN IF EXISTS ${ident(c)}`),
      [spec.table],
    );
    await dropArchiveIfEmpty(client);
  });
}

/** Fills the audit columns by the rule, archived values first. Safe to re-run and to interrupt. */
export async function backfillAuditColumns(
  qi: QueryInterface,
  spec: TableDeclaration,
): Promise<void> {
  await withMigrationClient(qi, async (client) => {
    const useArchive = await archiveExists(client);
    await runBatchedPass(client, {
      label: `${spec.table}: audit backfill`,
      ...backfillStatements(spec, useArchive),
    });
    // Archived values are consumed only once every batch has used them.
    if (!useArchive) return;
    const used = await forgetArchivedTable(client, spec.table);
    if (used > 0) {
      migrationLog(
        `${spec.table}: ${used} archived audit value(s) restored (or no longer needed: row deleted)`,
      );
    }
    await dropArchiveIfEmpty(client);
  });
}

/**
 * Undoes the backfill's writes to a created_by that existed before: only
 * the logged rows, and only where the value is still the one written. A
 * value the re-apply would not derive again is archived first, and so is
 * the reverted rows' modifier when the app changed it; their modified_by
 * goes back to NULL so that a re-apply selects them again. A table whose
 * audit columns are all new has nothing to undo here.
 */
export async function revertBackfill(qi: QueryInterface, spec: TableDeclaration): Promise<number> {
  if (!spec.columns.created_by.existedBefore) return 0;
  const table = ident(spec.table);
  const inLog = `l.table_name = '${spec.table}' AND l.column_name = 'created_by'`;
  const logged = `${BACKFILL_LOG_TABLE} l JOIN ${table} t ON t.id = l.row_id AND t.created_by = l.value`;
  return withMigrationClient(qi, async (client) => {
    await ensureArchive(client);
    await client.query(
      `INSERT INTO ${ARCHIVE_TABLE} (table_name, column_name, row_id, value)
       SELECT l.table_name, l.column_name, l.row_id, l.value
         FROM ${logged} ${spec.rule.joins ?? ''}
        WHERE ${inLog} AND l.value IS DISTINCT FROM (${spec.rule.source})
       ON CONFLICT (table_name, column_name, row_id)
         DO UPDATE SET value = EXCLUDED.value, archived_at = EXCLUDED.archived_at`,
    );
    await client.query(
      `INSERT INTO ${ARCHIVE_TABLE} (table_name, column_name, row_id, value)
       SELECT l.table_name, 'modified_by', l.row_id, t.modified_by
         FROM ${logged}
        WHERE ${inLog} AND t.modified_by IS NOT NULL AND t.modified_by IS DISTINCT FROM l.value
       ON CONFLICT (table_name, column_name, row_id)
         DO UPDATE SET value = EXCLUDED.value, archived_at = EXCLUDED.archived_at`,
    );
    const reverted = await runBatchedPass(client, revertLoggedCreatorsPass(spec.table, table));
    await dropArchiveIfEmpty(client);
    return reverted;
  });
}

/**
 * The down of a backfill or catch-up pass: restores exactly what its up
 * wrote, as the runner recorded it (recorded-fills.ts). Without a record
 * (an up applied before the runner recorded fills, or by sequelize-cli), it
 * does what this down did before the record existed (revertBackfill: the
 * logged created_by fills of the table) and says so, with the row counts.
 */
export async function undoFills(
  qi: QueryInterface,
  spec: TableDeclaration,
  step: 'backfill' | 'catch-up',
): Promise<void> {
  const recorded = await withMigrationClient(qi, async (client) => {
    const done = await restoreRecordedFills(client, spec.table, step, {
      ...spec.rule,
      creatorExistedBefore: spec.columns.created_by.existedBefore,
    });
    if (done) migrationLog(describeRestored(spec.table, step, done));
    return done !== undefined;
  });
  if (recorded) return;
  const reverted = spec.columns.created_by.existedBefore
    ? await revertBackfill(qi, spec)
    : undefined;
  const kept = await withMigrationClient(qi, (client) => countUnrecorded(client, spec.table));
  migrationLog(describeUnrecorded(spec.table, step, { reverted, kept }));
}

const keysOf = (spec: TableDeclaration) =>
  spec.foreignKeys.map((fk) => ({ ...fk, table: spec.table }));
const indexesOf = (spec: TableDeclaration) =>
  spec.indexes.map((index) => ({ ...index, table: spec.table }));

/** The migration that adds a table's audit columns. */
export function auditColumnsMigration(spec: TableDeclaration): BuiltMigration {
  return {
    meta: { transactional: true, table: spec.table, kind: 'schema', audit: 'columns' },
    up: (qi) => addAuditColumns(qi, spec),
    down: (qi) => dropAuditColumns(qi, spec),
  };
}

/**
 * The migration that installs a table's audit triggers (see trigger-sql.ts),
 * in one short transaction with a short lock_timeout. Down: removes them.
 */
export function auditTriggersMigration(spec: TableDeclaration): BuiltMigration {
  const install = (qi: QueryInterface, statements: string[]) =>
    withMigrationClient(qi, (client) => runOnlineDdl(client, statements, [spec.table]));
  return {
    meta: { transactional: true, table: spec.table, kind: 'schema', audit: 'triggers' },
    up: (qi) => install(qi, installAuditTriggers(spec)),
    down: (qi) => install(qi, removeAuditTriggers(spec)),
  };
}

/** The migration that backfills a table's audit columns (also its catch-up pass). */
export function auditBackfillMigration(
  spec: TableDeclaration,
  step: 'backfill' | 'catch-up' = 'backfill',
): BuiltMigration {
  return {
    meta: {
      transactional: false,
      table: spec.table,
      kind: 'backfill',
      audit: step,
      fills: 'audit-columns',
    },
    up: (qi) => backfillAuditColumns(qi, spec),
    down: (qi) => undoFills(qi, spec, step),
  };
}

/** The migration that adds a table's audit foreign keys. */
export function auditForeignKeysMigration(spec: TableDeclaration): BuiltMigration {
  return {
    meta: { transactional: false, table: spec.table, kind: 'key', audit: 'keys' },
    up: (qi) =>
      withMigrationClient(qi, async (client) => {
        for (const fk of keysOf(spec)) await addUserForeignKeyOnline(client, fk);
      }),
    down: (qi) =>
      withMigrationClient(qi, async (client) => {
        for (const fk of keysOf(spec).reverse()) await dropUserForeignKey(client, fk);
      }),
  };
}

/** The migration that builds a table's audit indexes. */
export function auditIndexesMigration(spec: TableDeclaration): BuiltMigration {
  return {
    meta: { transactional: false, table: spec.table, kind: 'index', audit: 'indexes' },
    up: (qi) =>
      withMigrationClient(qi, async (client) => {
        for (const index of indexesOf(spec)) await createIndexConcurrently(client, index);
      }),
    down: (qi) =>
      withMigrationClient(qi, async (client) => {
        for (const index of indexesOf(spec).reverse()) {
          await dropIndexConcurrently(client, index.name);
        }
      }),
  };
}
