import type pg from 'pg';
import { addedColumns, type TableDeclaration } from '../../registry';
import { needsFill, ruleCreator } from '../../audit/rule-sql';
import { ident } from '../../db/sql-identifier';
import { HISTORY_TABLE } from '../../history/captured-table';

/** Rows of one audited table whose audit columns are NULL after the migration, by why. */
export interface UnfilledCounts {
  table: string;
  /** Rows with an added audit column NULL. */
  missing: number;
  /** Of those, rows nothing explains: the rule could fill them (a backfill not done, a trigger missing). */
  unexplained: number;
  /**
   * Rows whose modified_by is NULL on purpose: their newest recorded change
   * was made outside the app (the audit triggers set it to unknown), or by a
   * user deleted since.
   */
  unknownModifier: number;
}

/**
 * After the migration, NULL does not always mean "not filled": a previous
 * app version's or an operator's update sets modified_by to NULL (unknown),
 * and the history says so. This counts, per table, rows the rule could
 * fill that nothing explains, apart from those.
 */
export async function countUnfilled(
  client: pg.ClientBase,
  specs: readonly TableDeclaration[],
): Promise<UnfilledCounts[]> {
  const { rows: found } = await client.query<{ present: boolean }>(
    `SELECT to_regclass('${HISTORY_TABLE}') IS NOT NULL AS present`,
  );
  const withHistory = found[0]?.present === true;
  const counts: UnfilledCounts[] = [];
  for (const spec of specs) {
    const added = addedColumns(spec).map((column) => column.name);
    const newestUnknown = withHistory
      ? `COALESCE((SELECT h.actor_id IS NULL OR NOT EXISTS (SELECT 1 FROM users u WHERE u.id = h.actor_id)
                     FROM ${HISTORY_TABLE} h
                    WHERE h.table_name = '${spec.table}' AND h.row_id = t.id
                    ORDER BY h.at DESC, h.id DESC LIMIT 1), false)`
      : 'false';
    const creatorMissing = added.includes('created_by') ? 't.created_by IS NULL' : 'false';
    const { rows } = await client.query<{ missing: string; unexplained: string; unknown: string }>(
      `SELECT count(*) AS missing,
              count(*) FILTER (WHERE ${ruleCreator(spec)} IS NOT NULL
                                 AND (${creatorMissing} OR NOT ${newestUnknown})) AS unexplained,
              count(*) FILTER (WHERE NOT (${creatorMissing}) AND t.modified_by IS NULL
                                 AND ${newestUnknown}) AS unknown
         FROM ${ident(spec.table)} t ${spec.rule.joins ?? ''}
        WHERE ${needsFill(spec)}`,
    );
    counts.push({
      table: spec.table,
      missing: Number(rows[0]?.missing ?? 0),
      unexplained: Number(rows[0]?.unexplained ?? 0),
      unknownModifier: Number(rows[0]?.unknown ?? 0),
    });
  }
  return counts;
}
