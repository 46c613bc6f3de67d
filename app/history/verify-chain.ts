import type pg from 'pg';
import { HISTORY_TABLE } from './captured-table';
import { entryHashSql, HASH_COLUMN, PREV_HASH_COLUMN } from './chain-sql';

/*
 * Recomputes every row's chain, a batch of rows at a time (one query each,
 * a range of row ids of one table, sized to about BATCH_ENTRIES entries),
 * and returns only what is wrong. Each entry, in (at, id) order within its
 * row, is checked against its own hash and against the entry before it:
 *
 *   changed    its columns no longer give its hash;
 *   inserted   the entry after it chains to the one before it (it was put
 *              in between, its own link made by the trigger);
 *   removed    it does not chain to the entry before it, nor to the one
 *              before that: an entry between them was removed, or the one
 *              before it was changed and its hash rewritten;
 *   unhashed   it has no hash but entries before it of its row do: it was
 *              written with the trigger disabled, or its hash was removed.
 *
 * A row's first entry may chain to an entry that is gone only when a prune
 * recorded a pruned seal starting before it (the history before it was
 * dropped on purpose); otherwise that is `removed` too.
 */

const BATCH_ENTRIES = 50_000;

export type ChainProblemKind = 'changed' | 'inserted' | 'removed' | 'unhashed';

/** Something wrong in a row's chain, naming the entry. */
export interface ChainProblem {
  kind: ChainProblemKind;
  id: string;
  at: string;
  tableName: string;
  rowId: number;
  partition: string;
  /** The entry before it in its row, when there is one. */
  previousId: string | null;
}

export interface ChainCheck {
  entries: number;
  hashed: number;
  rows: number;
  problems: ChainProblem[];
}

const utc = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The check of one batch; $1 table, $2..$3 row ids, $4 the earliest pruned seal's start (or NULL). */
const BATCH_SQL = `
  SELECT count(*)::int AS entries,
         count(*) FILTER (WHERE hashed)::int AS hashed,
         count(DISTINCT row_id)::int AS rows,
         COALESCE(jsonb_agg(jsonb_build_object(
           'kind', problem, 'id', CASE WHEN problem = 'inserted' THEN prev_id ELSE id END::text,
           'at', CASE WHEN problem = 'inserted' THEN prev_at ELSE at_text END,
           'tableName', table_name, 'rowId', row_id,
           'partition', CASE WHEN problem = 'inserted' THEN prev_partition ELSE partition END,
           'previousId', CASE WHEN problem = 'inserted' THEN prev2_id ELSE prev_id END::text))
           FILTER (WHERE problem IS NOT NULL), '[]'::jsonb) AS problems
    FROM (
      SELECT *,
             CASE
               WHEN NOT hashed THEN CASE WHEN after_hashed THEN 'unhashed' END
               WHEN NOT intact THEN 'changed'
               WHEN prev_id IS NULL THEN
                 CASE WHEN own_prev IS NOT NULL AND ($4::timestamptz IS NULL OR at <= $4)
                      THEN 'removed' END
               WHEN own_prev IS NOT DISTINCT FROM prev_hash THEN NULL
               WHEN prev_hashed AND own_prev IS NOT DISTINCT FROM prev2_hash THEN 'inserted'
               ELSE 'removed'
             END AS problem
        FROM (
          SELECT h.id, h.at, ${utc('h.at')} AS at_text, h.table_name, h.row_id,
                 h.tableoid::regclass::text AS partition,
                 h.${HASH_COLUMN} IS NOT NULL AS hashed,
                 h.${HASH_COLUMN} = ${entryHashSql('to_jsonb(h)', 'h.at', `h.${PREV_HASH_COLUMN}`)} AS intact,
                 h.${PREV_HASH_COLUMN} AS own_prev,
                 lag(h.id) OVER w AS prev_id,
                 lag(${utc('h.at')}) OVER w AS prev_at,
                 lag(h.tableoid::regclass::text) OVER w AS prev_partition,
                 lag(h.${HASH_COLUMN}) OVER w AS prev_hash,
                 lag(h.${HASH_COLUMN}) OVER w IS NOT NULL AS prev_hashed,
                 lag(h.id, 2) OVER w AS prev2_id,
                 lag(h.${HASH_COLUMN}, 2) OVER w AS prev2_hash,
                 -- Over the entries up to this one: for an unhashed one, whether any before it is hashed.
                 bool_or(h.${HASH_COLUMN} IS NOT NULL) OVER w AS after_hashed
            FROM ${HISTORY_TABLE} h
           WHERE h.table_name = $1 AND h.row_id BETWEEN $2 AND $3
          WINDOW w AS (PARTITION BY h.table_name, h.row_id ORDER BY h.at, h.id)
        ) e
    ) c`;

/** The history's tables with their row id range and entry count. */
async function tablesToCheck(client: pg.ClientBase) {
  const { rows } = await client.query<{ table_name: string; lo: number; hi: number; n: string }>(
    `SELECT table_name, min(row_id) AS lo, max(row_id) AS hi, count(*)::text AS n
       FROM ${HISTORY_TABLE} GROUP BY table_name ORDER BY table_name`,
  );
  return rows.map((row) => ({ ...row, n: Number(row.n) }));
}

/**
 * Checks every chain; `progress` is called after each batch with the
 * entries checked so far and the total. `prunedSince` is the start of the
 * earliest pruned seal (null: nothing was pruned with a seal).
 */
export async function checkChains(
  client: pg.ClientBase,
  prunedSince: Date | null,
  progress: (checked: number, total: number) => void,
): Promise<ChainCheck> {
  const tables = await tablesToCheck(client);
  const total = tables.reduce((sum, t) => sum + t.n, 0);
  const result: ChainCheck = { entries: 0, hashed: 0, rows: 0, problems: [] };
  for (const table of tables) {
    const span = table.hi - table.lo + 1;
    const step = Math.max(1, Math.ceil((span * BATCH_ENTRIES) / Math.max(1, table.n)));
    for (let lo = table.lo; lo <= table.hi; lo += step) {
      const { rows } = await client.query<{
        entries: number;
        hashed: number;
        rows: number;
        problems: ChainProblem[];
      }>(BATCH_SQL, [table.table_name, lo, Math.min(table.hi, lo + step - 1), prunedSince]);
      const batch = rows[0]!;
      result.entries += batch.entries;
      result.hashed += batch.hashed;
      result.rows += batch.rows;
      result.problems.push(...batch.problems);
      progress(result.entries, total);
    }
  }
  result.problems.sort((a, b) =>
    a.at === b.at ? Number(a.id) - Number(b.id) : a.at < b.at ? -1 : 1,
  );
  return result;
}

/** A problem in words, naming the entry and what to look at. */
export function describeProblem(problem: ChainProblem): string {
  const where = `entry ${problem.id} (${problem.tableName} row ${problem.rowId}, at ${problem.at}, in ${problem.partition})`;
  const before = problem.previousId === null ? '' : `entry ${problem.previousId}`;
  switch (problem.kind) {
    case 'changed':
      return `${where} was changed: its columns no longer give its hash`;
    case 'inserted':
      return `${where} was inserted: the entry after it chains to ${before || 'the start of the row'}, the one before it`;
    case 'removed':
      return before
        ? `${where} does not chain to ${before}, the one before it: an entry between them was removed, or ${before} was changed and its hash rewritten`
        : `${where} chains to an earlier entry of its row that is gone: it was removed (no prune recorded a seal before it)`;
    case 'unhashed':
      return `${where} has no hash although entries before it of its row have one: it was written with the chain's trigger disabled, or its hash was removed`;
  }
}
