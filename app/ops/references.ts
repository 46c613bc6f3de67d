import type pg from 'pg';
import { ident } from '../db/sql-identifier';

/** A column that points at another table's id; rows pointing at nothing are orphans. */
export interface Reference {
  table: string;
  column: string;
  target: 'users' | 'campaigns';
}

/**
 * The references the audit migration reads (the backfill copies
 * player_owner_id and created_by) or adds (created_by / modified_by).
 * Columns that do not exist yet are skipped by the checks.
 */
export const REFERENCES: readonly Reference[] = [
  { table: 'characters', column: 'campaign_id', target: 'campaigns' },
  { table: 'characters', column: 'player_owner_id', target: 'users' },
  { table: 'characters', column: 'created_by', target: 'users' },
  { table: 'characters', column: 'modified_by', target: 'users' },
  { table: 'items', column: 'campaign_id', target: 'campaigns' },
  { table: 'items', column: 'created_by', target: 'users' },
  { table: 'items', column: 'modified_by', target: 'users' },
  { table: 'locations', column: 'campaign_id', target: 'campaigns' },
  { table: 'locations', column: 'created_by', target: 'users' },
  { table: 'locations', column: 'modified_by', target: 'users' },
];

/** An orphan count for one reference. */
export interface OrphanCount extends Reference {
  orphans: number;
}

/** Existing `table.column` pairs in the current schema, as "table.column" strings. */
export async function existingColumns(client: pg.ClientBase): Promise<Set<string>> {
  const { rows } = await client.query<{ c: string }>(
    `SELECT table_name || '.' || column_name AS c FROM information_schema.columns
      WHERE table_schema = current_schema()`,
  );
  return new Set(rows.map((row) => row.c));
}

/**
 * Counts, per reference, the rows whose value points at no row of the target
 * (an anti-join each; foreign keys normally forbid these, but a NOT VALID or
 * missing constraint lets them in, and VALIDATE would then fail).
 */
export async function countOrphans(client: pg.ClientBase): Promise<OrphanCount[]> {
  const columns = await existingColumns(client);
  const counts: OrphanCount[] = [];
  for (const ref of REFERENCES) {
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
