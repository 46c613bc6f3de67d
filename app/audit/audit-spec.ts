import { HISTORY_MIGRATIONS } from '../history/history-spec';
import type { AuditedTableSpec } from './audited-table';
import { campaigns } from './tables/campaigns';
import { characters } from './tables/characters';
import { items } from './tables/items';
import { locations } from './tables/locations';

/*
 * The one declaration of what is audited. Each table's entry lives in its
 * own file under tables/, which that table's migrations import: once they
 * are released the entry is frozen with them (the release guard hashes it),
 * while this list, which no migration imports, grows. To audit a new table,
 * see the README ("Auditing another table").
 */

export { BACKFILL_LOG_TABLE } from './backfill-log';

/** Every audited table, in the order their audit migrations were added. */
export const AUDITED_TABLES: readonly AuditedTableSpec[] = [
  characters,
  items,
  locations,
  campaigns,
];

/**
 * The passes that set back to NULL the modifiers the backfill guessed for
 * rows a previous app version changed before it (app/audit/cleared-modifiers.ts).
 */
export const CLEARING_MIGRATIONS: readonly string[] = [
  '20261129400100-clear-unattributed-modifiers-of-characters.ts',
  '20261129400200-clear-unattributed-modifiers-of-items.ts',
  '20261129400300-clear-unattributed-modifiers-of-locations.ts',
  '20261129400400-clear-unattributed-modifiers-of-campaigns.ts',
];

/**
 * Every audit migration, in the order they apply: the history first (so a
 * previous app version's writes are on record before the audit columns
 * appear), then each table's audit, then the passes that clear modifiers
 * the backfill guessed for rows that version changed. The first is the
 * rollback target that returns to the state before any of it (`--to` is
 * inclusive).
 */
export const AUDIT_MIGRATIONS: readonly string[] = [
  ...HISTORY_MIGRATIONS,
  '20261124100000-add-audit-fields-to-characters.ts',
  '20261124100100-add-audit-fields-to-items.ts',
  '20261124100200-add-audit-fields-to-locations.ts',
  '20261124100300-create-audit-backfill-log.ts',
  '20261124100310-add-audit-triggers-to-characters.ts',
  '20261124100320-add-audit-triggers-to-items.ts',
  '20261124100330-add-audit-triggers-to-locations.ts',
  '20261124100400-backfill-audit-fields-of-characters.ts',
  '20261124100500-backfill-audit-fields-of-items.ts',
  '20261124100600-backfill-audit-fields-of-locations.ts',
  '20261124100700-add-audit-foreign-keys-to-characters.ts',
  '20261124100800-add-audit-foreign-keys-to-items.ts',
  '20261124100900-add-audit-foreign-keys-to-locations.ts',
  '20261124101000-index-audit-fields-of-characters.ts',
  '20261124101100-index-audit-fields-of-items.ts',
  '20261124101200-index-audit-fields-of-locations.ts',
  '20261129100000-add-audit-fields-to-campaigns.ts',
  '20261129100050-add-audit-triggers-to-campaigns.ts',
  '20261129100100-backfill-audit-fields-of-campaigns.ts',
  '20261129100200-add-audit-foreign-keys-to-campaigns.ts',
  '20261129100300-index-audit-fields-of-campaigns.ts',
  '20261129200000-catch-up-audit-fields-of-characters.ts',
  '20261129200100-catch-up-audit-fields-of-items.ts',
  '20261129200200-catch-up-audit-fields-of-locations.ts',
  '20261129400000-create-audit-cleared-modifiers.ts',
  ...CLEARING_MIGRATIONS,
];

/** The rollback target back to the state before any audit field. */
export const FIRST_AUDIT_MIGRATION = AUDIT_MIGRATIONS[0]!;

/** The audit entry of `table`; throws for a table that is not audited. */
export function auditedTable(table: string): AuditedTableSpec {
  const spec = AUDITED_TABLES.find((entry) => entry.table === table);
  if (!spec) throw new Error(`${table} is not an audited table`);
  return spec;
}

/** Table names of the audited tables. */
export const AUDITED_TABLE_NAMES: readonly string[] = AUDITED_TABLES.map((spec) => spec.table);

const referenced = new Set<string>(
  AUDITED_TABLES.flatMap((spec) => spec.rule.inputs.map((i) => i.target)),
);

/**
 * The tables the audit migrations read or write, in foreign-key order: users
 * (every audit column points there), audited tables other rules read
 * (campaigns), then the rest.
 */
export const AUDIT_TOUCHED_TABLES: readonly string[] = [
  'users',
  ...AUDITED_TABLE_NAMES.filter((name) => referenced.has(name)),
  ...AUDITED_TABLE_NAMES.filter((name) => !referenced.has(name)),
];
