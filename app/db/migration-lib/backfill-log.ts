import type { BatchedPass } from './batched-pass';

/**
 * Where an audit backfill notes the values it wrote into a `created_by` that
 * existed before (items, locations), so that its rollback reverts exactly
 * those. Created by 20261124100300-create-audit-backfill-log.ts.
 */
export const BACKFILL_LOG_TABLE = 'audit_backfill_log';

/**
 * The batched pass that reverts the logged `created_by` writes of `table`
 * (as the SQL names it: `tableSql`), only where the value is still the one
 * written, and forgets each reverted log row. The reverted rows' modified_by
 * goes back to NULL too, so that a re-apply selects them again. Both
 * generations of the backfill's down run this same pass.
 */
export function revertLoggedCreatorsPass(table: string, tableSql: string): BatchedPass {
  const inLog = `l.table_name = '${table}' AND l.column_name = 'created_by'`;
  return {
    label: `${table}: revert audit backfill of created_by`,
    countSql: `SELECT count(*) AS todo, min(row_id) AS first FROM ${BACKFILL_LOG_TABLE} l WHERE ${inLog}`,
    nextKeySql: `SELECT row_id AS key FROM ${BACKFILL_LOG_TABLE} l
                    WHERE ${inLog} AND row_id > $1 ORDER BY row_id OFFSET $2 LIMIT 1`,
    batchSql: `
        WITH reverted AS (
          UPDATE ${tableSql} t SET created_by = NULL, modified_by = NULL
            FROM ${BACKFILL_LOG_TABLE} l
           WHERE ${inLog} AND l.row_id > $1 AND l.row_id <= $2
             AND t.id = l.row_id AND t.created_by = l.value
          RETURNING 1
        ), forgotten AS (
          DELETE FROM ${BACKFILL_LOG_TABLE} l WHERE ${inLog} AND l.row_id > $1 AND l.row_id <= $2
        )
        SELECT count(*) AS n FROM reverted`,
  };
}
