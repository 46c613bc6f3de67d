import { migrationCatalog, MIGRATIONS_DIR } from '../db/migration-files';
import { CAPTURED_TABLES, type CapturedKind, type CapturedTableDeclaration } from '../registry';
import { HISTORY_TABLE } from './captured-table';

/*
 * What the history covers: every table the registry declares captured (the
 * audited ones and those captured only), under the kind the API names it
 * by. Its migrations are read from the files' meta.
 */

/** The API's name for a captured row's kind (the activity's `kind`). */
export type HistoryKind = CapturedKind;

export type HistoryTableSpec = CapturedTableDeclaration & { readonly kind: HistoryKind };

export const HISTORY_TABLES: readonly HistoryTableSpec[] = CAPTURED_TABLES;

const HISTORY_STEPS = new Set([
  'history-table',
  'history-partitions',
  'capture-function',
  'capture',
]);

/** The history migrations, in the order they apply. */
export function historyMigrations(dir = MIGRATIONS_DIR): string[] {
  return migrationCatalog(dir)
    .filter((entry) => entry.meta.audit !== undefined && HISTORY_STEPS.has(entry.meta.audit))
    .map((entry) => entry.name);
}

/**
 * The migration that installs `table`'s capture: its audit step `capture`
 * for an audited table, its `history: 'capture'` for one captured only.
 */
export function captureMigrationOf(table: string, dir = MIGRATIONS_DIR): string {
  const entry = migrationCatalog(dir).find(
    ({ meta }) => meta.table === table && (meta.audit === 'capture' || meta.history === 'capture'),
  );
  if (!entry) throw new Error(`${table} has no capture migration in ${dir}`);
  return entry.name;
}

/** The migrations of the indexes that serve filtered activity pages (app/history/activity-indexes.ts). */
export function activityIndexMigrations(dir = MIGRATIONS_DIR): string[] {
  return migrationCatalog(dir)
    .filter((entry) => entry.meta.table === HISTORY_TABLE && entry.meta.kind === 'index')
    .map((entry) => entry.name);
}

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
