import type { CapturedTable } from './captured-table';

/*
 * What the history covers: every audited table, each with the kind the API
 * names it by and the migration that installed its capture. No migration
 * imports this list (each passes its own table), so it can grow.
 */

/** The API's name for a row's kind. */
export type HistoryKind = 'campaign' | 'character' | 'item' | 'location';

export interface HistoryTableSpec extends CapturedTable {
  readonly kind: HistoryKind;
  /** The migration that installs the table's capture trigger. */
  readonly migration: string;
}

export const HISTORY_TABLES: readonly HistoryTableSpec[] = [
  {
    kind: 'character',
    table: 'characters',
    campaignColumn: 'campaign_id',
    migration: '20261124090300-capture-history-of-characters.ts',
  },
  {
    kind: 'item',
    table: 'items',
    campaignColumn: 'campaign_id',
    migration: '20261124090400-capture-history-of-items.ts',
  },
  {
    kind: 'location',
    table: 'locations',
    campaignColumn: 'campaign_id',
    migration: '20261124090500-capture-history-of-locations.ts',
  },
  {
    kind: 'campaign',
    table: 'campaigns',
    campaignColumn: 'id',
    migration: '20261124090600-capture-history-of-campaigns.ts',
  },
];

/** The history migrations, in the order they apply. */
export const HISTORY_MIGRATIONS: readonly string[] = [
  '20261124090000-create-history-entries.ts',
  '20261124090100-create-history-partitions.ts',
  '20261124090200-create-history-capture-function.ts',
  ...HISTORY_TABLES.map((spec) => spec.migration),
];

/** The migrations of the indexes that serve filtered activity pages (app/history/activity-indexes.ts). */
export const ACTIVITY_INDEX_MIGRATIONS: readonly string[] = [
  '20261129500000-index-history-by-kind.ts',
  '20261129500100-index-history-by-actor.ts',
];

/** The entry of `kind`. */
export function historyTableOfKind(kind: HistoryKind): HistoryTableSpec {
  const spec = HISTORY_TABLES.find((entry) => entry.kind === kind);
  if (!spec) throw new Error(`no history table for kind ${kind}`);
  return spec;
}

/** The entry of `table`, if it is captured. */
export function historyTableNamed(table: string): HistoryTableSpec | undefined {
  return HISTORY_TABLES.find((entry) => entry.table === table);
}
