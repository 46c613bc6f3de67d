import { QueryTypes, type Sequelize } from 'sequelize';

/** One stored history entry, as the database holds it. */
export interface StoredHistoryEntry {
  id: string;
  action: 'create' | 'update' | 'delete';
  actor_id: number | null;
  campaign_id: number | null;
  request_id: string | null;
  source: string | null;
  changes: Record<string, { from: unknown; to: unknown }>;
}

/** A row's history entries, newest first, read with a fresh query. */
export function historyOf(
  sequelize: Sequelize,
  table: string,
  rowId: number,
): Promise<StoredHistoryEntry[]> {
  return sequelize.query<StoredHistoryEntry>(
    `SELECT id, action, actor_id, campaign_id, request_id, source, changes
       FROM history_entries WHERE table_name = $1 AND row_id = $2
      ORDER BY at DESC, id DESC`,
    { bind: [table, rowId], type: QueryTypes.SELECT },
  );
}
