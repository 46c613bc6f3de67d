import pg from 'pg';
import { auditedTable } from '../../audit/audit-spec';
import { needsFill, ruleCreator, ruleViolation } from '../../audit/rule-sql';
import type { TableDeclaration } from '../../registry';
import type { Expectations } from './last-writers';
import { DRILL_TABLES, type DrillTable } from './writer-protocol';

/** One table's rows with one expectation: how many, how many wrong, how many left NULL. */
export interface ExpectationCount {
  expected: string;
  rows: number;
  /** modified_by names someone who did not make the last change (or loses the actor). */
  wrong: number;
  /** An audit column NULL although the rule could fill it (and the row is not meant to be unknown). */
  fillable: number;
}

export interface TableCounts {
  byExpectation: ExpectationCount[];
  /** A few wrong rows: id, what they should say, the actor, created_by, modified_by, the rule's value. */
  samples: string[];
}

export type DrillCounts = Record<DrillTable, TableCounts>;

const sum = (counts: DrillCounts, field: 'wrong' | 'fillable') =>
  DRILL_TABLES.reduce(
    (total, table) => total + counts[table].byExpectation.reduce((n, group) => n + group[field], 0),
    0,
  );

/** Rows whose modified_by names someone who did not make the last change, over all tables. */
export const totalWrong = (counts: DrillCounts) => sum(counts, 'wrong');

/** Rows left NULL that the rules could fill, over all tables. */
export const totalFillable = (counts: DrillCounts) => sum(counts, 'fillable');

/** Conditions on row `t` joined with the drill's expectation `x`. */
function conditions(spec: TableDeclaration) {
  const rule = ruleCreator(spec);
  return {
    wrong: `CASE
      WHEN x.expected = 'actor' THEN t.modified_by IS DISTINCT FROM x.actor
      WHEN x.expected = 'null or rule' THEN t.modified_by IS NOT NULL AND t.modified_by IS DISTINCT FROM ${rule}
      WHEN x.expected LIKE 'null,%' THEN t.modified_by IS NOT NULL
      ELSE t.modified_by IS NOT NULL AND ${ruleViolation(spec)} END`,
    // The rule's own test (fillableCountSql) where the rule applies; elsewhere
    // modified_by may be NULL on purpose, created_by never.
    fillable: `${rule} IS NOT NULL AND CASE
      WHEN coalesce(x.expected, 'rule') LIKE 'rule%' THEN ${needsFill(spec)}
      ELSE t.created_by IS NULL END`,
  };
}

/** Counts, with fresh queries on a new connection, what the audit columns say against who wrote last. */
export async function countAudit(
  directUrl: string,
  expectations: Expectations,
): Promise<DrillCounts> {
  const client = new pg.Client({ connectionString: directUrl });
  await client.connect();
  try {
    const counts = {} as DrillCounts;
    for (const table of DRILL_TABLES) {
      const spec = auditedTable(table);
      const { wrong, fillable } = conditions(spec);
      const e = expectations[table];
      const params = [e.ids, e.expected, e.actors];
      // Rows the drill did not write follow the rule.
      const rows = `${table} t ${spec.rule.joins ?? ''}
        LEFT JOIN unnest($1::int[], $2::text[], $3::int[]) AS x(id, expected, actor) ON x.id = t.id`;
      const { rows: groups } = await client.query<Record<string, string>>(
        `SELECT coalesce(x.expected, 'rule') AS expected, count(*) AS rows,
                count(*) FILTER (WHERE ${wrong}) AS wrong, count(*) FILTER (WHERE ${fillable}) AS fillable
           FROM ${rows} GROUP BY 1 ORDER BY 1`,
        params,
      );
      const { rows: samples } = await client.query<Record<string, unknown>>(
        `SELECT t.id, coalesce(x.expected, 'rule') AS expected, x.actor, t.created_by,
                t.modified_by, ${ruleCreator(spec)} AS rule
           FROM ${rows} WHERE (${wrong}) OR (${fillable}) ORDER BY t.id DESC LIMIT 4`,
        params,
      );
      counts[table] = {
        byExpectation: groups.map((g) => ({
          expected: g.expected!,
          rows: Number(g.rows),
          wrong: Number(g.wrong),
          fillable: Number(g.fillable),
        })),
        samples: samples.map((s) => `${table} ${JSON.stringify(s)}`),
      };
    }
    return counts;
  } finally {
    await client.end();
  }
}

/** The counts as lines: per table and expectation, rows / wrong / fillable NULL, then the samples. */
export function describeCounts(counts: DrillCounts): string {
  return DRILL_TABLES.map((table) =>
    [
      `${table}:`,
      ...counts[table].byExpectation.map(
        (g) =>
          `  ${g.expected}: ${g.rows} rows, ${g.wrong} wrong modifier, ${g.fillable} fillable NULL`,
      ),
      ...counts[table].samples.map((s) => `  e.g. ${s}`),
    ].join('\n'),
  ).join('\n');
}
