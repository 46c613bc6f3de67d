import type pg from 'pg';
import type { QueryInterface } from 'sequelize';
import {
  ARCHIVE_TABLE,
  type Derivation,
  archiveExists,
  dropArchiveIfEmpty,
  ensureArchive,
  forgetArchivedTable,
} from '../audit-archive';
import { BACKFILL_LOG_TABLE, revertLoggedCreatorsPass } from '../backfill-log';
import { runBatchedPass, type BatchedPass } from '../batched-pass';
import { migrationTuning } from '../tuning';
import { withMigrationClient } from '../migration-client';
import { migrationLog } from '../migration-log';
import {
  countUnrecorded,
  describeRestored,
  describeUnrecorded,
  restoreRecordedFills,
  type FillRule,
} from '../recorded-fills';

/** The 2026-11-24 backfills' rules, as their down judges what a re-apply would give again. */
const V1_RULES: Record<AuditedTable, FillRule> = {
  characters: { source: 't.player_owner_id' },
  items: {
    source: 'c.owner_id',
    joins: 'LEFT JOIN campaigns c ON c.id = t.campaign_id',
    creatorExistedBefore: true,
  },
  locations: {
    source: 'c.owner_id',
    joins: 'LEFT JOIN campaigns c ON c.id = t.campaign_id',
    creatorExistedBefore: true,
  },
};

/*
 * The backfill rules, and how a re-apply after a rollback prefers what was
 * recorded over a new guess:
 * - characters: created_by = modified_by = player_owner_id;
 * - items, locations: modified_by = created_by; where created_by is NULL,
 *   both take the campaign's owner (NULL if the owner was deleted: such rows
 *   cannot be filled and stay NULL). Those writes to created_by, a column
 *   that existed before, are listed in audit_backfill_log so the down step
 *   can undo exactly them.
 * An archived value (kept by a rollback) wins over the rule, if its user
 * still exists (the foreign keys come later and must validate).
 */

/**
 * What the backfill would give each new column of a table if nothing were
 * archived, evaluated when the columns are dropped: values equal to it need
 * no archiving. For items/locations this runs after their created_by fills
 * were reverted (and archived if not derivable), as the backfill would see it.
 */
export const AUDIT_DERIVATIONS: Record<AuditedTable, Record<string, Derivation>> = {
  characters: {
    created_by: { expression: 't.player_owner_id' },
    modified_by: { expression: 't.player_owner_id' },
  },
  items: { modified_by: contentDerivation('items') },
  locations: { modified_by: contentDerivation('locations') },
};

/** The tables that get audit columns. */
export type AuditedTable = 'characters' | 'items' | 'locations';

function contentDerivation(table: 'items' | 'locations'): Derivation {
  return {
    joins: `JOIN campaigns c ON c.id = t.campaign_id
            LEFT JOIN ${ARCHIVE_TABLE} ac ON ac.table_name = '${table}'
             AND ac.column_name = 'created_by' AND ac.row_id = t.id`,
    expression: 'COALESCE(t.created_by, ac.value, c.owner_id)',
  };
}

const keyWalk = (table: string) =>
  `SELECT id AS key FROM ${table} WHERE id > $1 ORDER BY id OFFSET $2 LIMIT 1`;

/** `(SELECT archived value)` of `column` for row `t.id`, or NULL when there is no archive. */
function archived(useArchive: boolean, table: string, column: string): string {
  if (!useArchive) return 'NULL::integer';
  return `(SELECT a.value FROM ${ARCHIVE_TABLE} a JOIN users u ON u.id = a.value
            WHERE a.table_name = '${table}' AND a.column_name = '${column}' AND a.row_id = t.id)`;
}

function charactersPass(useArchive: boolean): BatchedPass {
  const needs = 't.created_by IS NULL OR t.modified_by IS NULL';
  return {
    label: 'characters: audit backfill',
    countSql: `SELECT count(*) AS todo, min(id) AS first FROM characters t WHERE ${needs}`,
    nextKeySql: keyWalk('characters'),
    batchSql: `
      WITH changed AS (
        UPDATE characters t
           SET created_by = COALESCE(t.created_by, ${archived(useArchive, 'characters', 'created_by')}, t.player_owner_id),
               modified_by = COALESCE(t.modified_by, ${archived(useArchive, 'characters', 'modified_by')}, t.player_owner_id)
         WHERE t.id > $1 AND t.id <= $2 AND (${needs})
        RETURNING 1)
      SELECT count(*) AS n FROM changed`,
  };
}

function contentPass(table: 'items' | 'locations', useArchive: boolean): BatchedPass {
  // Rows the rule cannot fill (no creator, no campaign owner) are skipped
  // by the UPDATE; they are counted in `todo` but cost only a read.
  return {
    label: `${table}: audit backfill`,
    countSql: `SELECT count(*) AS todo, min(id) AS first FROM ${table} t WHERE t.modified_by IS NULL`,
    nextKeySql: keyWalk(table),
    batchSql: `
      WITH source AS (
        SELECT t.id, t.created_by IS NULL AS fills_creator,
               COALESCE(t.created_by, ${archived(useArchive, table, 'created_by')}, c.owner_id) AS creator,
               ${archived(useArchive, table, 'modified_by')} AS kept_modifier
          FROM ${table} t JOIN campaigns c ON c.id = t.campaign_id
         WHERE t.id > $1 AND t.id <= $2 AND t.modified_by IS NULL
           FOR UPDATE OF t
      ), changed AS (
        UPDATE ${table} t
           SET created_by = s.creator, modified_by = COALESCE(s.kept_modifier, s.creator)
          FROM source s
         WHERE t.id = s.id AND COALESCE(s.kept_modifier, s.creator) IS NOT NULL
        RETURNING t.id, s.fills_creator, s.creator
      ), logged AS (
        INSERT INTO ${BACKFILL_LOG_TABLE} (table_name, column_name, row_id, value)
        SELECT '${table}', 'created_by', id, creator FROM changed
         WHERE fills_creator AND creator IS NOT NULL
        ON CONFLICT (table_name, column_name, row_id) DO UPDATE SET value = EXCLUDED.value
      )
      SELECT count(*) AS n FROM changed`,
  };
}

async function finishRestore(client: pg.Client, table: string): Promise<void> {
  const used = await forgetArchivedTable(client, table);
  if (used > 0) {
    process.stderr.write(
      `${table}: ${used} archived audit value(s) restored (or no longer needed: row deleted)\n`,
    );
  }
  await dropArchiveIfEmpty(client);
}

/**
 * Backfills the audit columns of `table` in time-sized keyset batches,
 * restoring archived values first. Safe to re-run and to interrupt.
 */
export async function backfillAuditFields(
  queryInterface: QueryInterface,
  table: AuditedTable,
): Promise<void> {
  await withMigrationClient(queryInterface, async (client) => {
    const useArchive = await archiveExists(client);
    const pass =
      table === 'characters' ? charactersPass(useArchive) : contentPass(table, useArchive);
    await runBatchedPass(client, pass, migrationTuning(), 'v1-session');
    // Archived values are consumed only once every batch has used them.
    if (useArchive) await finishRestore(client, table);
  });
}

/**
 * Undoes the backfill's writes to `created_by` of items or locations: only
 * the rows in the log, and only where the value is still the one written.
 * Values the re-apply would not derive again (the campaign changed owner
 * since) are archived first, so it gives the same ones back. The reverted
 * rows' modified_by goes back to NULL too (archived if the app changed it),
 * so that a re-apply after rolling back only this far selects them again.
 * (The other rows' modified_by is left to the schema down, which archives it.)
 */
export async function revertCreatorFills(
  queryInterface: QueryInterface,
  table: 'items' | 'locations',
): Promise<number> {
  return withMigrationClient(queryInterface, async (client) => {
    await ensureArchive(client);
    await client.query(
      `INSERT INTO ${ARCHIVE_TABLE} (table_name, column_name, row_id, value)
       SELECT l.table_name, l.column_name, l.row_id, l.value
         FROM ${BACKFILL_LOG_TABLE} l JOIN ${table} t ON t.id = l.row_id AND t.created_by = l.value
         JOIN campaigns c ON c.id = t.campaign_id
        WHERE l.table_name = $1 AND l.column_name = 'created_by'
          AND l.value IS DISTINCT FROM c.owner_id
       ON CONFLICT (table_name, column_name, row_id)
         DO UPDATE SET value = EXCLUDED.value, archived_at = EXCLUDED.archived_at`,
      [table],
    );
    await client.query(
      `INSERT INTO ${ARCHIVE_TABLE} (table_name, column_name, row_id, value)
       SELECT l.table_name, 'modified_by', l.row_id, t.modified_by
         FROM ${BACKFILL_LOG_TABLE} l JOIN ${table} t ON t.id = l.row_id AND t.created_by = l.value
        WHERE l.table_name = $1 AND l.column_name = 'created_by'
          AND t.modified_by IS NOT NULL AND t.modified_by IS DISTINCT FROM l.value
       ON CONFLICT (table_name, column_name, row_id)
         DO UPDATE SET value = EXCLUDED.value, archived_at = EXCLUDED.archived_at`,
      [table],
    );
    const reverted = await runBatchedPass(
      client,
      revertLoggedCreatorsPass(table, table),
      migrationTuning(),
      'v1-session',
    );
    await dropArchiveIfEmpty(client);
    return reverted;
  });
}

/**
 * The down of the 2026-11-24 backfills: restores exactly what the up wrote,
 * as the app's runner recorded it (../recorded-fills.ts). Without a record
 * (an up applied before the runner recorded fills, or by sequelize-cli) it
 * does what these downs did before: items and locations revert their logged
 * created_by fills (revertCreatorFills), characters nothing; and it says so
 * with the row counts.
 */
export async function undoBackfill(
  queryInterface: QueryInterface,
  table: AuditedTable,
): Promise<void> {
  const recorded = await withMigrationClient(queryInterface, async (client) => {
    const done = await restoreRecordedFills(client, table, 'backfill', V1_RULES[table]);
    if (done) migrationLog(describeRestored(table, 'backfill', done));
    return done !== undefined;
  });
  if (recorded) return;
  const reverted =
    table === 'characters' ? undefined : await revertCreatorFills(queryInterface, table);
  const kept = await withMigrationClient(queryInterface, (client) =>
    countUnrecorded(client, table),
  );
  migrationLog(describeUnrecorded(table, 'backfill', { reverted, kept }));
}
