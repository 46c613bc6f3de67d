import { QueryTypes, type Sequelize } from 'sequelize';
import { NotFoundError } from '../errors';
import { ident } from '../db/sql-identifier';
import {
  HISTORY_TABLES,
  historyTableNamed,
  historyTableOfKind,
  type HistoryKind,
} from '../history/history-spec';
import type { RowKind } from '../registry';
import type { AuditUserSummary } from '../../models/mixins/audit-queries';
import { accessCampaign } from './campaign-access';
import type { HistoryCursor } from './history-cursor';
import { subjectsOf } from './history-subjects';

/** A change of one column, in the database's column names. */
export type ColumnChanges = Record<string, { from: unknown; to: unknown }>;

/** One history entry as stored, with its actor's public columns (null: unknown, or deleted since). */
export interface HistoryEntry {
  id: string;
  /** UTC with microseconds, exactly as stored. */
  at: string;
  kind: HistoryKind;
  rowId: number;
  action: 'create' | 'update' | 'delete' | 'restore';
  source: string | null;
  actor: AuditUserSummary | null;
  changes: ColumnChanges;
  /** The id of the entry this one reverted (source `revert`); null otherwise. */
  revertOf: string | null;
  /**
   * Entries of memberships and invitations: the user the row is about (the
   * member, the invitee); null when unknown or deleted since. Absent for other kinds.
   */
  subject?: AuditUserSummary | null;
}

/** A page of entries, newest first, and where the next page starts after (null on the last). */
export interface HistoryPage {
  entries: HistoryEntry[];
  next: HistoryCursor | null;
}

export interface HistoryPageOptions {
  limit: number;
  cursor?: HistoryCursor | undefined;
}

export interface ActivityOptions extends HistoryPageOptions {
  actor?: number | undefined;
  kind?: HistoryKind | undefined;
  /** at or after this instant. */
  since?: string | undefined;
  /** strictly before this instant. */
  until?: string | undefined;
}

interface EntryRow {
  id: string;
  at: string;
  table_name: string;
  row_id: number;
  action: HistoryEntry['action'];
  source: string | null;
  changes: ColumnChanges;
  revert_of: string | null;
  actor_id: number | null;
  actor_username: string | null;
  actor_display_name: string | null;
}

/** Conditions and their bind parameters, numbered as they are added. */
class Conditions {
  readonly sql: string[] = [];
  readonly bind: unknown[] = [];

  /** Adds `sql`, where each `?` is the next of `values`. */
  add(sql: string, ...values: unknown[]): this {
    let i = 0;
    this.sql.push(sql.replace(/\?/g, () => `$${this.bind.push(values[i++])}`));
    return this;
  }
}

/**
 * Reads the history: a row's entries (only while the row exists, for members
 * of its campaign) and a campaign's activity (its own row and all its
 * content, deleted rows included). Both read newest first by (at, id), on
 * the history's indexes of the same order, one page beyond a keyset cursor.
 */
export class HistoryService {
  constructor(private readonly sequelize: Sequelize) {}

  /** The history of one campaign, character, item or location the user may read. */
  async ofRow(
    kind: RowKind,
    id: number,
    userId: number,
    options: HistoryPageOptions,
  ): Promise<HistoryPage> {
    const spec = historyTableOfKind(kind);
    // The row answers 404 once deleted, like the row itself; its entries stay in the activity.
    const [row] = await this.sequelize.query<{ campaign_id: number }>(
      `SELECT ${ident(spec.campaignColumn)} AS campaign_id FROM ${ident(spec.table)} WHERE id = $1`,
      { bind: [id], type: QueryTypes.SELECT },
    );
    const label = kind.charAt(0).toUpperCase() + kind.slice(1);
    if (!row) throw new NotFoundError(`${label} ${id} not found`);
    await accessCampaign(row.campaign_id, userId).catch((error: unknown) => {
      if (error instanceof NotFoundError) throw new NotFoundError(`${label} ${id} not found`);
      throw error;
    });
    const where = new Conditions().add('h.table_name = ? AND h.row_id = ?', spec.table, id);
    return this.page(where, options);
  }

  /** Recent entries across a campaign the user is a member of. */
  async activity(
    campaignId: number,
    userId: number,
    options: ActivityOptions,
  ): Promise<HistoryPage> {
    await accessCampaign(campaignId, userId);
    const where = new Conditions().add('h.campaign_id = ?', campaignId);
    if (options.actor !== undefined) where.add('h.actor_id = ?', options.actor);
    if (options.since) where.add('h.at >= ?', options.since);
    if (options.until) where.add('h.at < ?', options.until);
    // Each filter is read through the index that leads with it
    // (app/history/activity-indexes.ts): a kind as one `table_name =`, an
    // actor alone as one ordered scan per kind, merged.
    if (options.kind) {
      return this.page(
        where.add('h.table_name = ?', historyTableOfKind(options.kind).table),
        options,
      );
    }
    const tables = HISTORY_TABLES.map((spec) => spec.table);
    if (options.actor !== undefined) return this.page(where, options, tables);
    return this.page(where.add('h.table_name = ANY(?)', tables), options);
  }

  /**
   * A page of the entries `where` selects, newest first, after the cursor;
   * with `perTable`, read as one ordered scan per table, each cut at the
   * page's size, and merged.
   */
  private async page(
    where: Conditions,
    options: HistoryPageOptions,
    perTable?: readonly string[],
  ): Promise<HistoryPage> {
    if (options.cursor) {
      where.add('(h.at, h.id) < (?::timestamptz, ?::bigint)', options.cursor.at, options.cursor.id);
    }
    // One entry more than the page, to learn whether another page follows.
    const limit = `$${where.bind.push(options.limit + 1)}`;
    const conditions = where.sql.join(' AND ');
    const order = 'ORDER BY h.at DESC, h.id DESC';
    const source = perTable
      ? `(${perTable
          .map(
            (table) =>
              `(SELECT h.* FROM history_entries h
                 WHERE ${conditions} AND h.table_name = $${where.bind.push(table)}
                 ${order} LIMIT ${limit})`,
          )
          .join(' UNION ALL ')}) h`
      : `(SELECT h.* FROM history_entries h WHERE ${conditions}) h`;
    const rows = await this.sequelize.query<EntryRow>(
      `SELECT h.id::text AS id,
              to_char(h.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
              h.table_name, h.row_id, h.action, h.source, h.changes, h.revert_of::text AS revert_of,
              u.id AS actor_id, u.username AS actor_username, u.display_name AS actor_display_name
         FROM ${source}
         LEFT JOIN users u ON u.id = h.actor_id
        ${order}
        LIMIT ${limit}`,
      { bind: where.bind, type: QueryTypes.SELECT },
    );
    const more = rows.length > options.limit;
    const kept = rows.slice(0, options.limit);
    const subjects = await subjectsOf(this.sequelize, kept);
    const entries = kept.map((row) => {
      const entry = toEntry(row);
      return subjects.has(row.id) ? { ...entry, subject: subjects.get(row.id)! } : entry;
    });
    const last = entries[entries.length - 1];
    return { entries, next: more && last ? { at: last.at, id: last.id } : null };
  }
}

function toEntry(row: EntryRow): HistoryEntry {
  const spec = historyTableNamed(row.table_name);
  // Only captured tables are read (the conditions name them), so this cannot miss.
  if (!spec) throw new Error(`history entry ${row.id} of an uncaptured table ${row.table_name}`);
  return {
    id: row.id,
    at: row.at,
    kind: spec.kind,
    rowId: row.row_id,
    action: row.action,
    source: row.source,
    actor:
      row.actor_id === null
        ? null
        : {
            id: row.actor_id,
            username: row.actor_username ?? '',
            displayName: row.actor_display_name ?? '',
          },
    changes: row.changes ?? {},
    revertOf: row.revert_of,
  };
}
