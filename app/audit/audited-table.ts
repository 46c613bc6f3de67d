/** The audit columns, user ids: who created the row, who changed it last. */
export const AUDIT_COLUMNS = ['created_by', 'modified_by'] as const;
export type AuditColumnName = (typeof AUDIT_COLUMNS)[number];

/**
 * One of a table's two audit columns: added by the migration with a comment,
 * or already there before it (never added or dropped, only filled).
 */
export type AuditColumnSpec =
  { readonly comment: string; readonly existedBefore?: false } | { readonly existedBefore: true };

/** A column the backfill rule reads, and the table its values point at. */
export interface RuleInput {
  readonly column: string;
  readonly target: 'users' | 'campaigns';
}

/**
 * How existing rows get their audit values: both columns take `source`, the
 * user the row's own data names (its owner, its player). Where `created_by`
 * existed before, a value already there is kept and the modifier follows it.
 * Rows whose source is NULL (nobody known) stay NULL.
 */
export interface BackfillRule {
  /** SQL expression over the row alias `t` and `joins`: the user the rule names. */
  readonly source: string;
  /** Joins `source` needs, e.g. `LEFT JOIN campaigns c ON c.id = t.campaign_id`. */
  readonly joins?: string;
  /** The columns `source` reads; each is checked for orphans before the foreign keys validate. */
  readonly inputs: readonly RuleInput[];
  /** The rule in words, for the README, the plan and reports. */
  readonly summary: string;
}

/** An index the audit migrations build on the table. */
export interface AuditIndexSpec {
  readonly name: string;
  readonly columns: readonly string[];
}

/** A foreign key from an audit column to users, ON DELETE SET NULL. */
export interface AuditForeignKeySpec {
  readonly name: string;
  readonly column: AuditColumnName;
}

/** The audit migrations of one table, by file name, in the order they apply. */
export interface AuditMigrationNames {
  readonly columns: string;
  /** The triggers that audit writes not made through the models; before the backfill. */
  readonly triggers: string;
  readonly backfill: string;
  readonly keys: string;
  readonly indexes: string;
  /**
   * A second backfill pass, for tables whose backfill was released before
   * their triggers: it fills the rows a previous app version inserted since.
   */
  readonly catchUp?: string;
}

/** Everything the audit of one table is: read by its migrations, the tools and the tests. */
export interface AuditedTableSpec {
  readonly table: string;
  readonly columns: Readonly<Record<AuditColumnName, AuditColumnSpec>>;
  readonly rule: BackfillRule;
  readonly foreignKeys: readonly AuditForeignKeySpec[];
  readonly indexes: readonly AuditIndexSpec[];
  readonly migrations: AuditMigrationNames;
}

/** The audit columns the migrations add to `spec.table` (not those that existed before). */
export function addedColumns(spec: AuditedTableSpec): { name: AuditColumnName; comment: string }[] {
  return AUDIT_COLUMNS.flatMap((name) => {
    const column = spec.columns[name];
    return column.existedBefore ? [] : [{ name, comment: column.comment }];
  });
}

/** Foreign keys from both audit columns, named `<table>_<column>_fkey`. */
export function auditForeignKeys(
  table: string,
  columns: readonly AuditColumnName[],
): AuditForeignKeySpec[] {
  return columns.map((column) => ({ name: `${table}_${column}_fkey`, column }));
}

/** Single-column indexes named `<table>_<column>_idx`. */
export function singleColumnIndexes(table: string, columns: readonly string[]): AuditIndexSpec[] {
  return columns.map((column) => ({ name: `${table}_${column}_idx`, columns: [column] }));
}
