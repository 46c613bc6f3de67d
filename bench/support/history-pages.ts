// The keyset pages the history API reads, written out here because the API
// is not on this branch: a row's history and a campaign's activity, newest
// first, ordered by (at, id) to match the history's indexes, a cursor being
// the (at, id) of the last entry of the previous page.

export interface HistoryPageQuery {
  sql: string;
  params: unknown[];
}

export interface HistoryPage {
  /** A row's history: its table and id. */
  row?: { table: string; id: number };
  /** A campaign's activity. */
  campaign?: number;
  /** Activity filters: actor, kind (as its table), since (inclusive), until (exclusive). */
  actor?: number;
  table?: string;
  since?: Date;
  until?: Date;
  /** The (at, id) of the previous page's last entry; `at` as PostgreSQL prints it (microseconds kept). */
  cursor?: { at: string; id: string };
  limit?: number;
}

const COLUMNS = 'id, at, table_name, row_id, action, actor_id, source, changes';

export function historyPageSql(page: HistoryPage): HistoryPageQuery {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (page.row) {
    where.push(`table_name = ${param(page.row.table)}`, `row_id = ${param(page.row.id)}`);
  }
  if (page.campaign !== undefined) where.push(`campaign_id = ${param(page.campaign)}`);
  if (page.actor !== undefined) where.push(`actor_id = ${param(page.actor)}`);
  if (page.table !== undefined) where.push(`table_name = ${param(page.table)}`);
  if (page.since) where.push(`at >= ${param(page.since.toISOString())}`);
  if (page.until) where.push(`at < ${param(page.until.toISOString())}`);
  if (page.cursor) {
    where.push(
      `(at, id) < (${param(page.cursor.at)}::timestamptz, ${param(page.cursor.id)}::bigint)`,
    );
  }
  return {
    sql: `SELECT ${COLUMNS} FROM history_entries WHERE ${where.join(' AND ')}
           ORDER BY at DESC, id DESC LIMIT ${page.limit ?? 50}`,
    params,
  };
}
