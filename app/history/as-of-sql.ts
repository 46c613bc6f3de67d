import { ident } from '../db/sql-identifier';
import { HISTORY_TABLE } from './captured-table';

/*
 * Rows as they were at a time T, read backwards from what is there now.
 *
 * The history holds, per row, every change after it was installed: an update
 * holds the changed columns' `from`, a delete (and nothing else) the whole
 * row in `from`, a create or a restore the whole row in `to`. So the row at T
 * is decided by its entries after T alone, read oldest first:
 *   - none: the row at T is the row now (absent now: absent then);
 *   - the first is a create or restore: the row did not exist at T;
 *   - the first is an update or delete: it existed, and each column holds
 *     the `from` of the first update or delete after T that names it, or,
 *     named by none, its value now (a delete names every column, so a row
 *     gone now is whole).
 * Rows from before the history was installed need nothing else: they have no
 * create entry, and are read back from their current row and their deletes.
 *
 * Each lookup reads the entries of one row after T through the row index
 * (table_name, row_id, at DESC, id DESC), backwards: the cost is the number
 * of that row's entries after T, not the size of the history.
 */

/** Actions whose `from` holds what a row was before them. */
const BACKWARD = `('update', 'delete')`;

/** What the reconstruction query gives back for one id. */
export interface RowBackRead {
  id: number;
  /** The row now, every column (to_jsonb), or null when absent. */
  current: Record<string, unknown> | null;
  /** The action of the first entry after T, or null when there is none. */
  first_action: string | null;
  /** That entry's changes (a delete's: the whole row in `from`). */
  first_changes: Record<string, { from: unknown; to: unknown }> | null;
  /** Column -> the `from` of the first update or delete after T naming it. */
  walked_back: Record<string, unknown> | null;
  /** The last entry at or before T: when, and by whom (null: unknown). */
  last_at: Date | null;
  last_actor: number | null;
}

/**
 * The query that reads rows `$1` (int[]) of `table` back to `$2`
 * (timestamptz); one result per id, in the order given.
 */
export function rowsBackSql(table: string): string {
  const history = ident(HISTORY_TABLE);
  const name = table.replace(/'/g, "''");
  const ofRow = `h.table_name = '${name}' AND h.row_id = c.id`;
  return `SELECT c.id, to_jsonb(t) AS current,
                 first.action AS first_action, first.changes AS first_changes,
                 back.walked_back, last.at AS last_at, last.actor_id AS last_actor
            FROM unnest($1::int[]) WITH ORDINALITY AS c(id, n)
            LEFT JOIN ${ident(table)} t ON t.id = c.id
            LEFT JOIN LATERAL (
              SELECT h.action, h.changes FROM ${history} h
               WHERE ${ofRow} AND h.at > $2::timestamptz
               ORDER BY h.at, h.id LIMIT 1) first ON true
            LEFT JOIN LATERAL (
              SELECT jsonb_object_agg(f.key, f.value) AS walked_back FROM (
                SELECT DISTINCT ON (e.key) e.key, e.value -> 'from' AS value
                  FROM ${history} h CROSS JOIN LATERAL jsonb_each(h.changes) e
                 WHERE ${ofRow} AND h.at > $2::timestamptz AND h.action IN ${BACKWARD}
                 ORDER BY e.key, h.at, h.id) f
               WHERE first.action IS NOT NULL) back ON true
            LEFT JOIN LATERAL (
              SELECT h.at, h.actor_id FROM ${history} h
               WHERE ${ofRow} AND h.at <= $2::timestamptz
               ORDER BY h.at DESC, h.id DESC LIMIT 1) last ON true
           ORDER BY c.n`;
}

/**
 * Whether the row whose id is `column` was there at `$4`, for a row there
 * now or deleted since: unless the first of its entries after then is a
 * create or a restore. One probe of the row index, so rows made since are
 * skipped inside the query, before its LIMIT.
 */
function thereThen(column: string): string {
  return `COALESCE((SELECT f.action FROM ${ident(HISTORY_TABLE)} f
                     WHERE f.table_name = $3 AND f.row_id = ${column} AND f.at > $4::timestamptz
                     ORDER BY f.at, f.id LIMIT 1), 'none') NOT IN ('create', 'restore')`;
}

/**
 * The next ids, after `$2`, of `table`'s rows that were in campaign `$1` at
 * `$4`: those in it now, and those deleted from it since (`$3` the table's
 * name, `$5` how many), rows made since left out. The first `$5` of both,
 * merged: the first `$5` of their union are among them.
 */
export function snapshotCandidatesSql(table: string): string {
  return `SELECT id FROM (
            (SELECT t.id FROM ${ident(table)} t
              WHERE t.campaign_id = $1 AND t.id > $2 AND ${thereThen('t.id')}
              ORDER BY t.id LIMIT $5)
            UNION
            (SELECT DISTINCT h.row_id FROM ${ident(HISTORY_TABLE)} h
              WHERE h.campaign_id = $1 AND h.table_name = $3 AND h.action = 'delete'
                AND h.row_id > $2 AND h.at > $4::timestamptz AND ${thereThen('h.row_id')}
              ORDER BY h.row_id LIMIT $5)
          ) c ORDER BY id LIMIT $5`;
}

/**
 * The time of the history's oldest entry still kept, or null when it holds
 * none. Read as the entry of the lowest id, through each partition's primary
 * key (id, at): one index probe per partition instead of a scan. Ids and
 * times are taken together at insert, so the lowest id's time is at or after
 * the oldest time: a bound that never admits a time the history cannot answer.
 */
export const OLDEST_ENTRY_SQL = `SELECT at FROM ${ident(HISTORY_TABLE)} ORDER BY id LIMIT 1`;

/** The campaign a row is in now, else the one its newest entry names (a row gone since). */
export function campaignOfRowSql(table: string, campaignColumn: string): string {
  return `SELECT COALESCE(
            (SELECT ${ident(campaignColumn)} FROM ${ident(table)} WHERE id = $1),
            (SELECT h.campaign_id FROM ${ident(HISTORY_TABLE)} h
              WHERE h.table_name = $2 AND h.row_id = $1
              ORDER BY h.at DESC, h.id DESC LIMIT 1)) AS campaign_id`;
}
