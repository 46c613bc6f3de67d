/**
 * A table whose every row change is kept in the history: its name, and the
 * column that names the campaign a row belongs to (`id` for campaigns), so
 * a campaign's activity can be read, and kept, after the row is gone.
 */
export interface CapturedTable {
  readonly table: string;
  readonly campaignColumn: string;
}

/** The history's table, its sequence, and where a rollback keeps it. */
export const HISTORY_TABLE = 'history_entries';
export const HISTORY_SEQUENCE = 'history_entries_id_seq';
export const HISTORY_ARCHIVE_TABLE = 'history_entries_archived';

/** The default partition: rows no monthly partition covers land here, never lost. */
export const HISTORY_DEFAULT_PARTITION = 'history_entries_default';

/** Columns a change of which alone is not a change of the row (audit stamps, timestamps). */
export const UNRECORDED_COLUMNS = [
  'created_by',
  'modified_by',
  'created_at',
  'updated_at',
] as const;
