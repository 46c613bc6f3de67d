import type pg from 'pg';
import { existingColumns } from '../db/catalog';
import { ident } from '../db/sql-identifier';
import { AUDIT_COLUMNS, type TableDeclaration } from '../registry';

/** A column that points at another table's id; rows pointing at nothing are orphans. */
export interface Reference {
  table: string;
  column: string;
  target: 'users' | 'campaigns';
}

/**
 * The references the audit reads (its rules' inputs) or adds (the audit
 * columns, to users), once each. Columns that do not exist yet are skipped
 * by the checks.
 */
export function auditReferences(specs: readonly TableDeclaration[]): Reference[] {
  const refs = new Map<string, Reference>();
  for (const spec of specs) {
    const columns = [
      ...spec.rule.inputs,
      ...AUDIT_COLUMNS.map((column) => ({ column, target: 'users' as const })),
    ];
    for (const { column, target } of columns) {
      refs.set(`${spec.table}.${column}`, { table: spec.table, column, target });
    }
  }
  return [...refs.values()];
}

/** An orphan count for one reference. */
export interface OrphanCount extends Reference {
  orphans: number;
}

/**
 * Counts, per reference, the rows whose value points at no row of the target
 * (an anti-join each; foreign keys normally forbid these, but a NOT VALID or
 * missing constraint lets them in, and VALIDATE would then fail).
 */
export async function countOrphans(
  client: pg.ClientBase,
  specs: readonly TableDeclaration[],
): Promise<OrphanCount[]> {
  const columns = await existingColumns(client);
  const counts: OrphanCount[] = [];
  for (const ref of auditReferences(specs)) {
    if (!columns.has(`${ref.table}.${ref.column}`)) continue;
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${ident(ref.table)} t
        WHERE t.${ident(ref.column)} IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM ${ident(ref.target)} r WHERE r.id = t.${ident(ref.column)})`,
    );
    counts.push({ ...ref, orphans: Number(rows[0]?.n ?? 0) });
  }
  return counts;
}
