import { QueryTypes, type Sequelize } from 'sequelize';
import { ident } from '../db/sql-identifier';
import { historyTableNamed } from '../history/history-spec';
import type { AuditUserSummary } from '../../models/mixins/audit-queries';

/*
 * Whom a membership or invitation entry is about (the member, the invitee):
 * the user its table's subject column names. A create or delete entry holds
 * the whole row, so the column is in it; an update (a role change) holds
 * only what changed, so the user is read from the row, or, once the row is
 * gone, from another entry of it that holds the column. That column never
 * changes through the app, so any of them names the same user.
 */

/** What the lookup needs of an entry. */
export interface SubjectSource {
  id: string;
  table_name: string;
  row_id: number;
  changes: Record<string, { from: unknown; to: unknown }>;
}

const asUserId = (value: unknown): number | null =>
  typeof value === 'number' && Number.isSafeInteger(value) ? value : null;

/**
 * The subject of each entry of a table with a subject column, by entry id:
 * a user summary, or null when the user is unknown or deleted since.
 * Entries of other tables are left out.
 */
export async function subjectsOf(
  sequelize: Sequelize,
  entries: readonly SubjectSource[],
): Promise<Map<string, AuditUserSummary | null>> {
  const userIds = new Map<string, number | null>();
  const missing = new Map<string, { column: string; rows: Set<number> }>();
  for (const entry of entries) {
    const column = historyTableNamed(entry.table_name)?.subjectColumn;
    if (!column) continue;
    const change = entry.changes[column];
    const userId = asUserId(change?.to) ?? asUserId(change?.from);
    userIds.set(entry.id, userId);
    if (userId === null) {
      const table = missing.get(entry.table_name) ?? { column, rows: new Set<number>() };
      table.rows.add(entry.row_id);
      missing.set(entry.table_name, table);
    }
  }
  const found = new Map<string, number>();
  for (const [table, { column, rows }] of missing) {
    const byRow = await subjectsOfRows(sequelize, table, column, [...rows]);
    for (const [row, userId] of byRow) found.set(`${table}#${row}`, userId);
  }
  for (const entry of entries) {
    if (userIds.get(entry.id) === null) {
      userIds.set(entry.id, found.get(`${entry.table_name}#${entry.row_id}`) ?? null);
    }
  }
  const ids = [...new Set([...userIds.values()].filter((id): id is number => id !== null))];
  const users = new Map<number, AuditUserSummary>();
  if (ids.length > 0) {
    const rows = await sequelize.query<{ id: number; username: string; display_name: string }>(
      'SELECT id, username, display_name FROM users WHERE id = ANY($1::integer[])',
      { bind: [ids], type: QueryTypes.SELECT },
    );
    for (const row of rows) {
      users.set(row.id, { id: row.id, username: row.username, displayName: row.display_name });
    }
  }
  return new Map(
    [...userIds].map(([entryId, userId]) => [
      entryId,
      userId === null ? null : (users.get(userId) ?? null),
    ]),
  );
}

/** The subject column's value of each row: from the row while it exists, else from an entry holding it. */
async function subjectsOfRows(
  sequelize: Sequelize,
  table: string,
  column: string,
  rowIds: number[],
): Promise<Map<number, number>> {
  const rows = await sequelize.query<{ row_id: number; user_id: number | null }>(
    `SELECT r.id AS row_id, r.${ident(column)} AS user_id
       FROM ${ident(table)} r WHERE r.id = ANY($1::integer[])
     UNION ALL
     SELECT e.row_id, COALESCE(e.changes -> $3 ->> 'to', e.changes -> $3 ->> 'from')::integer
       FROM unnest($1::integer[]) AS wanted(id)
       CROSS JOIN LATERAL (
         SELECT he.row_id, he.changes FROM history_entries he
          WHERE he.table_name = $2 AND he.row_id = wanted.id AND he.changes ? $3
          ORDER BY he.at DESC, he.id DESC LIMIT 1) e`,
    { bind: [rowIds, table, column], type: QueryTypes.SELECT },
  );
  const result = new Map<number, number>();
  for (const row of rows) {
    if (row.user_id !== null && !result.has(row.row_id)) result.set(row.row_id, row.user_id);
  }
  return result;
}
