import { HISTORY_TABLE } from '../history/captured-table';
import { ident } from '../db/sql-identifier';
import type { TableDeclaration } from '../registry';
import { ruleCreator } from './rule-sql';

/*
 * Closes the one window the audit triggers leave in a rolling upgrade: a row
 * that the previous app version updates after its audit columns exist but
 * before the backfill reaches it still has modified_by NULL, so the trigger's
 * "unknown" cannot be told from "not filled yet", and the backfill then gives
 * it the rule's modifier, someone who did not make that change. The history
 * (installed before the audit columns) has the write on record with no
 * actor, so after the backfills a pass sets modified_by back to NULL where:
 *   - the row's newest history entry is an update with no actor, and
 *   - modified_by still holds what the rule gives (a later write through the
 *     app names its actor, and would not be undone).
 * What it clears is noted in CLEARED_MODIFIERS_TABLE, so the down restores
 * exactly those values. On a database migrated while no previous version
 * wrote, the pass finds nothing.
 */

/** Where the pass notes each modifier it cleared, for its down. */
export const CLEARED_MODIFIERS_TABLE = 'audit_cleared_modifiers';

export const CREATE_CLEARED_MODIFIERS_SQL = `CREATE TABLE IF NOT EXISTS ${CLEARED_MODIFIERS_TABLE} (
  table_name text NOT NULL,
  row_id integer NOT NULL,
  modified_by integer NOT NULL,
  PRIMARY KEY (table_name, row_id)
)`;

/** Row ids of `spec.table` with an update on record that no actor is known for. */
function candidates(spec: TableDeclaration): string {
  return `SELECT DISTINCT row_id FROM ${HISTORY_TABLE}
           WHERE table_name = '${spec.table}' AND action = 'update' AND actor_id IS NULL`;
}

/** The candidate pass's three statements (see app/db/migration-lib/candidate-pass.ts). */
export function clearUnattributedStatements(spec: TableDeclaration) {
  const table = ident(spec.table);
  return {
    countSql: `SELECT count(*) AS todo FROM (${candidates(spec)}) c`,
    candidatesSql: `SELECT row_id AS id FROM (${candidates(spec)}) c
                     WHERE row_id > $1 ORDER BY row_id LIMIT $2`,
    batchSql: `
      WITH target AS (
        SELECT t.id, t.modified_by
          FROM ${table} t ${spec.rule.joins ?? ''}
         WHERE t.id = ANY($1::int[])
           AND t.modified_by IS NOT NULL
           AND t.modified_by = ${ruleCreator(spec)}
           AND (SELECT h.action = 'update' AND h.actor_id IS NULL
                  FROM ${HISTORY_TABLE} h
                 WHERE h.table_name = '${spec.table}' AND h.row_id = t.id
                 ORDER BY h.at DESC, h.id DESC LIMIT 1)
         ORDER BY t.id
           FOR UPDATE OF t
      ), noted AS (
        INSERT INTO ${CLEARED_MODIFIERS_TABLE} (table_name, row_id, modified_by)
        SELECT '${spec.table}', id, modified_by FROM target
        ON CONFLICT (table_name, row_id) DO UPDATE SET modified_by = EXCLUDED.modified_by
      ), cleared AS (
        UPDATE ${table} t SET modified_by = NULL FROM target WHERE t.id = target.id RETURNING t.id
      )
      SELECT count(*) AS n FROM cleared`,
  };
}

/** Restores what the pass cleared on `spec.table` (where still NULL) and forgets it. */
export function restoreClearedSql(spec: TableDeclaration): string[] {
  const table = ident(spec.table);
  return [
    `UPDATE ${table} t SET modified_by = c.modified_by
       FROM ${CLEARED_MODIFIERS_TABLE} c
      WHERE c.table_name = '${spec.table}' AND c.row_id = t.id AND t.modified_by IS NULL
        AND EXISTS (SELECT 1 FROM users u WHERE u.id = c.modified_by)`,
    `DELETE FROM ${CLEARED_MODIFIERS_TABLE} WHERE table_name = '${spec.table}'`,
  ];
}
