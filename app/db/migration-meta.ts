/** What a migration does, as a kind tools can group and order by. */
export type MigrationKind = 'schema' | 'backfill' | 'index' | 'key';

/**
 * A migration's properties, declared as data (`export const meta`) so that
 * tools and tests read them instead of guessing from a file name or comment.
 */
export interface MigrationMeta {
  /** True when `up` and `down` each run in one transaction (all or nothing). */
  readonly transactional: boolean;
  /** The table the migration changes. */
  readonly table: string;
  readonly kind: MigrationKind;
}
