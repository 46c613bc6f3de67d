import { QueryTypes, type Sequelize } from 'sequelize';
import { ident } from '../db/sql-identifier';
import { historyTableOfKind } from '../history/history-spec';
import type { AuditUserSummary } from '../../models/mixins/audit-queries';
import { accessCampaign } from './campaign-access';
import type { HistoryCursor } from './history-cursor';
import type { RestorableKind } from './restore-service';

export const RESTORABLE_KINDS: readonly RestorableKind[] = ['character', 'item', 'location'];

/** A deleted row that POST .../:id/restore can bring back. */
export interface TrashedRow {
  kind: RestorableKind;
  id: number;
  name: string | null;
  /** UTC with microseconds, as the delete entry's `at`. */
  deletedAt: string;
  deletedBy: AuditUserSummary | null;
  /** The delete entry's id: with deletedAt, the page's keyset position. */
  entryId: string;
}

export interface TrashPage {
  rows: TrashedRow[];
  next: HistoryCursor | null;
}

interface TrashRow {
  entry_id: string;
  at: string;
  table_name: string;
  row_id: number;
  name: string | null;
  actor_id: number | null;
  actor_username: string | null;
  actor_display_name: string | null;
}

/**
 * A campaign's recycle bin, read from the history: the delete entries of
 * its characters, items and locations that are still their row's latest
 * entry (not restored since) and whose row does not exist. Newest first by
 * (at, id) of the delete entry, a keyset page like the history's. What was
 * pruned is not listed: nothing could restore it. Any member reads it.
 */
export class TrashService {
  constructor(private readonly sequelize: Sequelize) {}

  async list(
    campaignId: number,
    userId: number,
    options: {
      kind?: RestorableKind | undefined;
      limit: number;
      cursor?: HistoryCursor | undefined;
    },
  ): Promise<TrashPage> {
    await accessCampaign(campaignId, userId);
    const bind: unknown[] = [campaignId, options.limit + 1];
    const after = options.cursor
      ? `AND (h.at, h.id) < ($${bind.push(options.cursor.at)}::timestamptz, $${bind.push(options.cursor.id)}::bigint)`
      : '';
    const kinds = options.kind ? [options.kind] : RESTORABLE_KINDS;
    // One ordered scan per table (the activity's kind index), each cut at the page's size, merged.
    const parts = kinds.map((kind) => {
      const table = historyTableOfKind(kind).table;
      const name = `$${bind.push(table)}`;
      return `(SELECT h.id, h.at, h.table_name, h.row_id, h.actor_id, h.changes -> 'name' ->> 'from' AS name
                 FROM history_entries h
                WHERE h.campaign_id = $1 AND h.table_name = ${name} AND h.action = 'delete' ${after}
                  AND NOT EXISTS (SELECT 1 FROM ${ident(table)} t WHERE t.id = h.row_id)
                  AND NOT EXISTS (SELECT 1 FROM history_entries later
                                   WHERE later.table_name = h.table_name AND later.row_id = h.row_id
                                     AND (later.at, later.id) > (h.at, h.id))
                ORDER BY h.at DESC, h.id DESC LIMIT $2)`;
    });
    const rows = await this.sequelize.query<TrashRow>(
      `SELECT h.id::text AS entry_id,
              to_char(h.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
              h.table_name, h.row_id, h.name,
              u.id AS actor_id, u.username AS actor_username, u.display_name AS actor_display_name
         FROM (${parts.join(' UNION ALL ')}) h
         LEFT JOIN users u ON u.id = h.actor_id
        ORDER BY h.at DESC, h.id DESC
        LIMIT $2`,
      { bind, type: QueryTypes.SELECT },
    );
    const more = rows.length > options.limit;
    const page = rows.slice(0, options.limit).map(toTrashed);
    const last = page[page.length - 1];
    return { rows: page, next: more && last ? { at: last.deletedAt, id: last.entryId } : null };
  }
}

function toTrashed(row: TrashRow): TrashedRow {
  const kind = RESTORABLE_KINDS.find((k) => historyTableOfKind(k).table === row.table_name)!;
  return {
    kind,
    id: row.row_id,
    name: row.name,
    deletedAt: row.at,
    deletedBy:
      row.actor_id === null
        ? null
        : {
            id: row.actor_id,
            username: row.actor_username ?? '',
            displayName: row.actor_display_name ?? '',
          },
    entryId: row.entry_id,
  };
}
