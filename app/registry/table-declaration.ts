/*
 * The shape of a table's one declaration: everything the audit, the history,
 * the models and the tools know about an audited table is read from it or
 * derived from it (keys and indexes by naming rule, migrations from the
 * migration files' meta). Pure data: this layer imports nothing.
 */

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
  /** The rule in words, for the docs, the plan and reports. */
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

/**
 * What the history needs of a captured table: every table whose changes the
 * history keeps declares these, audited or not.
 */
export interface CapturedTableFacts {
  /** The SQL table. */
  readonly table: string;
  /** The API's name for one of its rows (history `kind`, trash, routes). */
  readonly kind: string;
  /** The column naming the campaign a row belongs to (`id` for campaigns). */
  readonly campaignColumn: string;
  /** The column naming the user a row is about (a member, an invitee), where there is one. */
  readonly subjectColumn?: string;
}

/**
 * A table whose changes the history keeps but which has no audit columns (no
 * created_by or modified_by, no backfill): its capture migration is built
 * from this declaration, and its entries are read under its kind.
 */
export type CapturedTableDeclaration = Readonly<CapturedTableFacts>;

/** Declares a table captured by the history but not audited. */
export function declareCapturedTable<const Facts extends CapturedTableFacts>(
  facts: Facts,
): CapturedTableDeclaration & Facts {
  return Object.freeze({ ...facts });
}

/** What a table's file declares: the facts nothing else can derive. */
export interface TableFacts extends CapturedTableFacts {
  readonly columns: Readonly<Record<AuditColumnName, AuditColumnSpec>>;
  readonly rule: BackfillRule;
}

/** A table's declaration with what follows from it by rule. */
export interface TableDeclaration extends TableFacts {
  /** A key from each added audit column to users (a column that existed keeps its own). */
  readonly foreignKeys: readonly AuditForeignKeySpec[];
  /** One index per timestamp and audit column, named `<table>_<column>_idx`. */
  readonly indexes: readonly AuditIndexSpec[];
}

/** The audit columns a table's migrations add (not those that existed before). */
export function addedColumns(spec: TableFacts): { name: AuditColumnName; comment: string }[] {
  return AUDIT_COLUMNS.flatMap((name) => {
    const column = spec.columns[name];
    return column.existedBefore ? [] : [{ name, comment: column.comment }];
  });
}

const INDEXED_COLUMNS = ['created_at', 'updated_at', ...AUDIT_COLUMNS] as const;

/** Completes a table's facts with its keys and indexes, named by rule. */
export function declareTable<const Facts extends TableFacts>(
  facts: Facts,
): TableDeclaration & Facts {
  return Object.freeze({
    ...facts,
    foreignKeys: addedColumns(facts).map(({ name }) => ({
      name: `${facts.table}_${name}_fkey`,
      column: name,
    })),
    indexes: INDEXED_COLUMNS.map((column) => ({
      name: `${facts.table}_${column}_idx`,
      columns: [column],
    })),
  });
}
