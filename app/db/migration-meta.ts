/** What a migration does, as a kind tools can group and order by. */
export type MigrationKind = 'schema' | 'backfill' | 'index' | 'key';

/**
 * The step of the audit a migration is, for the migrations that make up the
 * audit (and so are reverted by its rollback): the history first, then each
 * table's steps, then the passes that follow them. A migration that is not
 * part of the audit has none.
 */
export const AUDIT_STEPS = [
  'history-table',
  'history-partitions',
  'capture-function',
  'capture',
  'columns',
  'backfill-log',
  'triggers',
  'backfill',
  'keys',
  'indexes',
  'catch-up',
  'cleared-modifiers',
  'clearing',
] as const;
export type AuditStep = (typeof AUDIT_STEPS)[number];

/**
 * A migration's properties, declared as data (`export const meta`) so that
 * tools and tests read them instead of guessing from a file name, a comment
 * or a list kept beside the files.
 */
export interface MigrationMeta {
  /** True when `up` runs in one transaction (all or nothing); false when it commits in steps and is written to be re-run. */
  readonly transactional: boolean;
  /** The table the migration changes. */
  readonly table: string;
  readonly kind: MigrationKind;
  /** Its step of the audit, when it is one (see AUDIT_STEPS). */
  readonly audit?: AuditStep;
  /**
   * `capture`: it installs the history's capture on a table that is not
   * audited (an audited table's capture is its audit step `capture`).
   */
  readonly history?: 'capture';
  /**
   * The up fills the table's audit columns (created_by, modified_by) where
   * they are NULL, through its own connection. The app's runner records
   * every value it writes, so that the down restores exactly those
   * (app/db/migration-lib/recorded-fills.ts).
   */
  readonly fills?: 'audit-columns';
  /**
   * Declared when the down has nothing to undo because the up changes
   * nothing a down must restore, with the reason. Such a down sends nothing;
   * every other down undoes its up.
   */
  readonly down?: { readonly none: string };
}
