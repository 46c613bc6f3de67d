import type pg from 'pg';
import { ARCHIVE_SCHEMA } from '../../db/migration-lib/audit-archive';
import { RECORD_SCHEMA } from '../../db/migration-lib/recorded-fills';
import { ident } from '../../db/sql-identifier';
import { CHAIN_ARCHIVE_SCHEMA } from '../../history/chain-steps';
import { BackupError } from './manifest';

/** The migration history: rebuilt by migrating the target, so it is compared, not copied. */
export const HISTORY_TABLE = 'SequelizeMeta';

/**
 * Tables a backup leaves out on purpose. Login tokens: a restore must not
 * bring back a session that was logged out (its row deleted) after the
 * backup, so every session ends with a restore and users log in again.
 */
export const EXCLUDED_TABLES: Readonly<Record<string, string>> = {
  auth_tokens:
    'login tokens are left out on purpose: a restore must not revive a session logged out since the backup; users log in again',
};

/** A table as the backup reads it from the catalog. */
export interface TableSpec {
  schema: string;
  table: string;
  /** Columns in physical order (generated columns aside: COPY cannot load them). */
  columns: string[];
  /** Primary key columns (all columns when there is none): the order rows are dumped and hashed in. */
  orderBy: string[];
  /** Columns whose default draws from a sequence the table owns. */
  sequenceColumns: string[];
}

/** `schema.table`, quoted; a table of `public` keeps its bare name in manifests. */
export function qualifiedName(spec: { schema?: string | undefined; table: string }): string {
  return `${ident(spec.schema ?? 'public')}.${ident(spec.table)}`;
}

/** How manifests and messages name a table: bare in `public`, `schema.table` elsewhere. */
export function displayName(spec: { schema?: string | undefined; table: string }): string {
  return !spec.schema || spec.schema === 'public' ? spec.table : `${spec.schema}.${spec.table}`;
}

/**
 * Every table of the app's schema (`public`), of the audit archive and of the
 * runner's record of what fill migrations wrote (so that their downs stay
 * exact on the restored database), read
 * from the catalog so that a table added by a later migration is backed up
 * too, minus the migration history and the tables left out on purpose; in
 * foreign-key order (a referenced table before the tables referencing it).
 */
export async function backupTables(client: pg.ClientBase): Promise<TableSpec[]> {
  const { rows } = await client.query<{
    oid: string;
    schema: string;
    table: string;
    columns: string[];
    key: string[] | null;
    sequence_columns: string[] | null;
    refs: string[] | null;
  }>(
    `SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS table,
            (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                AND a.attgenerated = '') AS columns,
            (SELECT array_agg(a.attname::text ORDER BY k.ord)
               FROM pg_index i, unnest(i.indkey) WITH ORDINALITY k(attnum, ord), pg_attribute a
              WHERE i.indrelid = c.oid AND i.indisprimary
                AND a.attrelid = c.oid AND a.attnum = k.attnum) AS key,
            (SELECT array_agg(a.attname::text ORDER BY a.attnum)
               FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid
              WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                AND d.refobjid = c.oid AND d.deptype IN ('a', 'i')) AS sequence_columns,
            (SELECT array_agg(DISTINCT f.confrelid::text) FROM pg_constraint f
              WHERE f.conrelid = c.oid AND f.contype = 'f' AND f.confrelid <> c.oid) AS refs
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND (n.nspname = current_schema() OR n.nspname = ANY($1))
        AND NOT (n.nspname = current_schema() AND c.relname = ANY($2))
      ORDER BY n.nspname = current_schema() DESC, n.nspname, c.relname`,
    [
      [ARCHIVE_SCHEMA, RECORD_SCHEMA, CHAIN_ARCHIVE_SCHEMA],
      [HISTORY_TABLE, ...Object.keys(EXCLUDED_TABLES)],
    ],
  );
  const byOid = new Map(rows.map((row) => [row.oid, row]));
  const ordered: TableSpec[] = [];
  const placed = new Set<string>();
  // Kahn's algorithm over the catalog's name order, so the order is stable.
  while (placed.size < rows.length) {
    const ready = rows.filter(
      (row) =>
        !placed.has(row.oid) && (row.refs ?? []).every((ref) => placed.has(ref) || !byOid.has(ref)),
    );
    if (ready.length === 0) {
      const left = rows.filter((row) => !placed.has(row.oid)).map((row) => row.table);
      throw new BackupError(
        `the foreign keys between ${left.join(', ')} form a cycle; no load order exists`,
      );
    }
    for (const row of ready) {
      placed.add(row.oid);
      ordered.push({
        schema: row.schema,
        table: row.table,
        columns: row.columns,
        orderBy: row.key ?? row.columns,
        sequenceColumns: row.sequence_columns ?? [],
      });
    }
  }
  return ordered;
}
