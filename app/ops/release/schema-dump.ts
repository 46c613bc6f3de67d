import type pg from 'pg';

// Every object a migration can make, one line each, named by schema and name
// and never by OID, so two databases built alike dump alike. System schemas
// and the runners' own history tables are left out.
const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
                      AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'`;
const NOT_RUNNER = `c.relname NOT IN ('SequelizeMeta', 'SequelizeData')`;

const QUERIES: string[] = [
  `SELECT 'schema ' || n.nspname || coalesce(' -- ' || obj_description(n.oid, 'pg_namespace'), '')
     FROM pg_namespace n WHERE ${USER_SCHEMAS}`,
  `SELECT 'relation ' || n.nspname || '.' || c.relname || ' kind=' || c.relkind::text
          || CASE WHEN c.relispartition THEN ' partition of ' || pn.nspname || '.' || p.relname
                  || ' ' || pg_get_expr(c.relpartbound, c.oid) ELSE '' END
          || CASE WHEN c.relkind = 'p' THEN ' by ' || pg_get_partkeydef(c.oid) ELSE '' END
          || coalesce(' -- ' || obj_description(c.oid, 'pg_class'), '')
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND c.relispartition
     LEFT JOIN pg_class p ON p.oid = i.inhparent LEFT JOIN pg_namespace pn ON pn.oid = p.relnamespace
    WHERE ${USER_SCHEMAS} AND ${NOT_RUNNER} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')`,
  `SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname || ' '
          || format_type(a.atttypid, a.atttypmod)
          || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
          || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
          || CASE WHEN a.attidentity <> '' THEN ' IDENTITY ' || a.attidentity::text ELSE '' END
          || CASE WHEN a.attgenerated <> '' THEN ' GENERATED' ELSE '' END
          || coalesce(' -- ' || col_description(c.oid, a.attnum), '')
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE ${USER_SCHEMAS} AND ${NOT_RUNNER} AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND a.attnum > 0 AND NOT a.attisdropped`,
  `SELECT 'constraint ' || n.nspname || '.' || c.relname || ' ' || k.conname || ' '
          || pg_get_constraintdef(k.oid)
          || CASE WHEN k.convalidated THEN '' ELSE ' (not validated)' END
          || coalesce(' -- ' || obj_description(k.oid, 'pg_constraint'), '')
     FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
    -- NOT NULL is in the column's line; PostgreSQL 18 also lists it as a
    -- constraint, 15 does not, and the record must read alike on both.
    WHERE ${USER_SCHEMAS} AND ${NOT_RUNNER} AND k.contype <> 'n'`,
  `SELECT 'index ' || n.nspname || '.' || ic.relname || ' ' || pg_get_indexdef(i.indexrelid)
          || CASE WHEN i.indisvalid THEN '' ELSE ' (INVALID)' END
          || coalesce(' -- ' || obj_description(ic.oid, 'pg_class'), '')
     FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
     JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
    WHERE ${USER_SCHEMAS} AND ${NOT_RUNNER}`,
  `SELECT 'trigger ' || n.nspname || '.' || c.relname || ' ' || pg_get_triggerdef(t.oid)
          || CASE t.tgenabled::text WHEN 'D' THEN ' (disabled)' ELSE '' END
     FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${USER_SCHEMAS} AND NOT t.tgisinternal`,
  `SELECT 'function ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid)
          || ') ' || regexp_replace(pg_get_functiondef(p.oid), '\\s+', ' ', 'g')
          || coalesce(' -- ' || obj_description(p.oid, 'pg_proc'), '')
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE ${USER_SCHEMAS} AND p.prokind IN ('f', 'p')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`,
  `SELECT 'type ' || n.nspname || '.' || t.typname || ' enum ('
          || (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                FROM pg_enum e WHERE e.enumtypid = t.oid) || ')'
     FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE ${USER_SCHEMAS} AND t.typtype = 'e'`,
  `SELECT 'extension ' || e.extname FROM pg_extension e WHERE e.extname <> 'plpgsql'`,
];

/**
 * The database's schema as sorted lines: schemas, tables (with partitions and
 * their bounds), columns with types, defaults and comments, constraints
 * (validated or not), indexes (valid or not), triggers, functions (their
 * full text, whitespace collapsed), enum types and extensions.
 */
export async function dumpSchema(client: pg.ClientBase): Promise<string[]> {
  const lines: string[] = [];
  for (const sql of QUERIES) {
    const { rows } = await client.query<{ line: string }>(`SELECT line FROM (${sql}) AS q(line)`);
    for (const { line } of rows) lines.push(line);
  }
  return lines.sort();
}

/** What `after` has that `before` lacks, and the reverse. */
export function schemaChange(
  before: readonly string[],
  after: readonly string[],
): { added: string[]; removed: string[] } {
  const had = new Set(before);
  const has = new Set(after);
  return {
    added: after.filter((line) => !had.has(line)),
    removed: before.filter((line) => !has.has(line)),
  };
}
