import { ARCHIVE_TABLE, type Derivation } from '../db/migration-lib/audit-archive';
import { ident } from '../db/sql-identifier';
import { addedColumns, type AuditColumnName, type TableDeclaration } from '../registry';
import { BACKFILL_LOG_TABLE } from '../db/migration-lib/backfill-log';

/*
 * Every statement about a table's backfill rule is produced here from its
 * one declaration (TableDeclaration.rule), so the fill, the counts, the
 * archive's derivation and the checks cannot disagree. Row alias: `t`.
 */

const creatorExisted = (spec: TableDeclaration) => spec.columns.created_by.existedBefore === true;

/** Rows the backfill still has to visit: an added audit column is NULL. */
export function needsFill(spec: TableDeclaration): string {
  return addedColumns(spec)
    .map(({ name }) => `t.${ident(name)} IS NULL`)
    .join(' OR ');
}

/** The creator the rule gives row `t` (a creator that existed before is kept). */
export function ruleCreator(spec: TableDeclaration): string {
  return creatorExisted(spec) ? `COALESCE(t.created_by, ${spec.rule.source})` : spec.rule.source;
}

/** `(archived value of column for row t)`, or NULL without an archive. */
function archived(spec: TableDeclaration, column: AuditColumnName, useArchive: boolean): string {
  if (!useArchive) return 'NULL::integer';
  // Only a user that still exists: the foreign keys come later and must validate.
  return `(SELECT a.value FROM ${ARCHIVE_TABLE} a JOIN users u ON u.id = a.value
            WHERE a.table_name = '${spec.table}' AND a.column_name = '${column}' AND a.row_id = t.id)`;
}

/**
 * The values the backfill writes, preferring what a rollback archived over
 * the rule. Where created_by existed before, the modifier follows the
 * (possibly archived) creator; otherwise both come from the rule's source.
 */
export function fillExpressions(spec: TableDeclaration, useArchive: boolean) {
  const creator = `COALESCE(t.created_by, ${archived(spec, 'created_by', useArchive)}, ${spec.rule.source})`;
  const modifier = `COALESCE(t.modified_by, ${archived(spec, 'modified_by', useArchive)}, ${
    creatorExisted(spec) ? creator : spec.rule.source
  })`;
  return { creator, modifier };
}

/** The three statements of a keyset-batched backfill pass over `spec.table`. */
export interface BackfillStatements {
  /** One row: `todo` (rows to visit) and `first` (smallest id among them). */
  countSql: string;
  /** The id at offset `$2` after id `$1`. */
  nextKeySql: string;
  /** Fills ids in `($1, $2]`; one row with `n`, the rows changed. */
  batchSql: string;
}

/** The backfill of `spec.table`, restoring archived values first when `useArchive`. */
export function backfillStatements(
  spec: TableDeclaration,
  useArchive: boolean,
): BackfillStatements {
  const table = ident(spec.table);
  const { creator, modifier } = fillExpressions(spec, useArchive);
  // Fills of a created_by that existed before are logged, so the down reverts exactly them.
  const logged = creatorExisted(spec)
    ? `, logged AS (
        INSERT INTO ${BACKFILL_LOG_TABLE} (table_name, column_name, row_id, value)
        SELECT '${spec.table}', 'created_by', id, creator FROM changed
         WHERE fills_creator AND creator IS NOT NULL
        ON CONFLICT (table_name, column_name, row_id) DO UPDATE SET value = EXCLUDED.value)`
    : '';
  return {
    countSql: `SELECT count(*) AS todo, min(t.id) AS first FROM ${table} t WHERE ${needsFill(spec)}`,
    nextKeySql: `SELECT id AS key FROM ${table} WHERE id > $1 ORDER BY id OFFSET $2 LIMIT 1`,
    batchSql: `
      WITH source AS (
        SELECT t.id, t.created_by IS NULL AS fills_creator, ${creator} AS creator, ${modifier} AS modifier
          FROM ${table} t ${spec.rule.joins ?? ''}
         WHERE t.id > $1 AND t.id <= $2 AND (${needsFill(spec)})
           FOR UPDATE OF t
      ), changed AS (
        UPDATE ${table} t SET created_by = s.creator, modified_by = s.modifier
          FROM source s
         WHERE t.id = s.id
           AND (s.creator IS DISTINCT FROM t.created_by OR s.modifier IS DISTINCT FROM t.modified_by)
        RETURNING t.id, s.fills_creator, s.creator
      )${logged}
      SELECT count(*) AS n FROM changed`,
  };
}

/**
 * One row: `missing`, rows whose added audit columns are still NULL (every
 * row, before the columns exist), and `fillable`, those the rule can fill.
 */
export function fillableCountSql(spec: TableDeclaration, columnsExist: boolean): string {
  return `SELECT count(*) AS missing, count(*) FILTER (WHERE ${ruleCreator(spec)} IS NOT NULL) AS fillable
            FROM ${ident(spec.table)} t ${spec.rule.joins ?? ''}
           WHERE ${columnsExist ? needsFill(spec) : 'TRUE'}`;
}

/**
 * What a re-apply would give `column` when the archive holds nothing for it,
 * evaluated when the column is dropped: values equal to it need no archiving.
 * Where created_by existed before, its own archived value (the down reverts
 * the fills first) counts as the creator the modifier follows.
 */
export function derivation(spec: TableDeclaration, column: AuditColumnName): Derivation {
  if (column === 'modified_by' && creatorExisted(spec)) {
    return {
      joins: `${spec.rule.joins ?? ''}
              LEFT JOIN ${ARCHIVE_TABLE} ac ON ac.table_name = '${spec.table}'
               AND ac.column_name = 'created_by' AND ac.row_id = t.id`,
      expression: `COALESCE(t.created_by, ac.value, ${spec.rule.source})`,
    };
  }
  return { joins: spec.rule.joins, expression: spec.rule.source };
}

/**
 * A condition on row `t` (with `spec.rule.joins`) that holds where the audit
 * values differ from what the rule gives: after a backfill of untouched
 * rows, no row may match. A creator that existed before only has to be set
 * where the rule knows one.
 */
export function ruleViolation(spec: TableDeclaration): string {
  const creator = creatorExisted(spec)
    ? `(t.created_by IS NULL AND ${spec.rule.source} IS NOT NULL)`
    : `t.created_by IS DISTINCT FROM ${spec.rule.source}`;
  return `(${creator} OR t.modified_by IS DISTINCT FROM ${ruleCreator(spec)})`;
}

/** Counts the rows of `spec.table` matching `condition` (over `t` and the rule's joins). */
export function countWhereSql(spec: TableDeclaration, condition: string): string {
  return `SELECT count(*) AS n FROM ${ident(spec.table)} t ${spec.rule.joins ?? ''} WHERE ${condition}`;
}

/**
 * The whole backfill of `spec.table` as one set-based UPDATE, without the
 * archive or the log: the physical floor the benchmarks compare the batched
 * pass with. It locks every row it changes until it commits.
 */
export function setBasedFillSql(spec: TableDeclaration): string {
  const { creator, modifier } = fillExpressions(spec, false);
  return `UPDATE ${ident(spec.table)} u SET created_by = s.creator, modified_by = s.modifier
            FROM (SELECT t.id, ${creator} AS creator, ${modifier} AS modifier
                    FROM ${ident(spec.table)} t ${spec.rule.joins ?? ''} WHERE ${needsFill(spec)}) s
           WHERE u.id = s.id`;
}
