import type pg from 'pg';
import { HISTORY_TABLE } from './captured-table';
import { historyTableOfKind, type HistoryKind } from './history-spec';

/** One history entry as the operator reads it, straight from the database. */
export interface StoredEntry {
  id: string;
  at: Date;
  table: string;
  rowId: number;
  action: 'create' | 'update' | 'delete';
  actorId: number | null;
  requestId: string | null;
  source: string | null;
  changes: Record<string, { from: unknown; to: unknown }>;
}

export interface CampaignEntriesQuery {
  campaignId: number;
  limit: number;
  kind?: HistoryKind;
}

/**
 * A campaign's entries, newest first, whether the campaign still exists or
 * not: entries keep their campaign id after every row is gone.
 */
export async function campaignEntries(
  client: pg.ClientBase,
  query: CampaignEntriesQuery,
): Promise<StoredEntry[]> {
  // A kind as `table_name = $2` only when asked: it reads the kind index.
  const kind = query.kind ? 'AND table_name = $3' : '';
  const params: unknown[] = [query.campaignId, query.limit];
  if (query.kind) params.push(historyTableOfKind(query.kind).table);
  const { rows } = await client.query<{
    id: string;
    at: Date;
    table_name: string;
    row_id: number;
    action: StoredEntry['action'];
    actor_id: number | null;
    request_id: string | null;
    source: string | null;
    changes: StoredEntry['changes'];
  }>(
    `SELECT id::text, at, table_name, row_id, action, actor_id, request_id, source, changes
       FROM ${HISTORY_TABLE}
      WHERE campaign_id = $1 ${kind}
      ORDER BY at DESC, id DESC
      LIMIT $2`,
    params,
  );
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    table: row.table_name,
    rowId: row.row_id,
    action: row.action,
    actorId: row.actor_id,
    requestId: row.request_id,
    source: row.source,
    changes: row.changes,
  }));
}
