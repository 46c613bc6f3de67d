import type pg from 'pg';
import { AUDITED_TABLE_NAMES, AUDITED_TABLES } from '../../audit/audit-spec';
import { AUDIT_COLUMNS } from '../../registry';
import { existingColumns } from '../../db/catalog';
import type { CheckResult } from '../check-report';

/** Each audited table has created_by and modified_by. */
export async function checkAuditColumns(client: pg.ClientBase): Promise<CheckResult> {
  const columns = await existingColumns(client);
  const missing = AUDITED_TABLE_NAMES.flatMap((t) =>
    AUDIT_COLUMNS.filter((c) => !columns.has(`${t}.${c}`)).map((c) => `${t}.${c}`),
  );
  return missing.length
    ? {
        name: 'audit columns',
        status: 'fail',
        summary: `missing: ${missing.join(', ')}; run npm run db:migrate`,
      }
    : {
        name: 'audit columns',
        status: 'ok',
        summary: `created_by and modified_by on ${AUDITED_TABLE_NAMES.join(', ')}`,
      };
}

/**
 * Each audit column has a validated foreign key to users ON DELETE SET NULL
 * (CASCADE would delete content when its author's account is deleted).
 */
export async function checkAuditForeignKeys(client: pg.ClientBase): Promise<CheckResult> {
  const { rows } = await client.query<{
    table: string;
    column: string;
    name: string;
    validated: boolean;
    on_delete: string;
  }>(
    `SELECT cl.relname AS table, a.attname AS column, c.conname AS name,
            c.convalidated AS validated, c.confdeltype::text AS on_delete
       FROM pg_constraint c
       JOIN pg_class cl ON cl.oid = c.conrelid
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass
        AND cardinality(c.conkey) = 1
        AND cl.relnamespace = current_schema()::regnamespace
        AND cl.relname = ANY($1) AND a.attname = ANY($2)`,
    [AUDITED_TABLE_NAMES, AUDIT_COLUMNS],
  );
  const problems: string[] = [];
  for (const table of AUDITED_TABLE_NAMES) {
    for (const column of AUDIT_COLUMNS) {
      const keys = rows.filter((r) => r.table === table && r.column === column);
      if (keys.length === 0) problems.push(`${table}.${column}: no foreign key to users`);
      for (const key of keys) {
        if (!key.validated) {
          problems.push(
            `${table}.${column}: ${key.name} is NOT VALID (ALTER TABLE ${table} VALIDATE CONSTRAINT ${key.name})`,
          );
        }
        if (key.on_delete !== 'n') {
          problems.push(
            `${table}.${column}: ${key.name} is not ON DELETE SET NULL: deleting a user would ` +
              (key.on_delete === 'c' ? 'delete rows' : 'be refused'),
          );
        }
      }
    }
  }
  return problems.length
    ? {
        name: 'audit foreign keys',
        status: 'fail',
        summary: `${problems.length} problem(s)`,
        details: problems,
      }
    : {
        name: 'audit foreign keys',
        status: 'ok',
        summary: 'all validated, ON DELETE SET NULL',
      };
}

/** Every index the audit specification declares exists, and it is valid and ready. */
export async function checkIndexes(client: pg.ClientBase): Promise<CheckResult> {
  const { rows } = await client.query<{ table: string; name: string; ok: boolean }>(
    `SELECT t.relname AS table, ic.relname AS name, (i.indisvalid AND i.indisready) AS ok
       FROM pg_index i
       JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_class ic ON ic.oid = i.indexrelid
      WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1)`,
    [AUDITED_TABLE_NAMES],
  );
  const missing = AUDITED_TABLES.flatMap((spec) =>
    spec.indexes
      .filter((index) => !rows.some((r) => r.table === spec.table && r.name === index.name && r.ok))
      .map((index) => `${spec.table}(${index.columns.join(', ')})`),
  );
  return missing.length
    ? {
        name: 'indexes',
        status: 'fail',
        summary: `no valid index on ${missing.join(', ')}; run npm run db:migrate (it rebuilds them)`,
      }
    : {
        name: 'indexes',
        status: 'ok',
        summary: `all ${AUDITED_TABLES.reduce((n, spec) => n + spec.indexes.length, 0)} valid`,
      };
}

/**
 * No index in the schema is INVALID (a failed CREATE INDEX CONCURRENTLY
 * leaves one behind). An index of a partitioned table, or of one of its
 * partitions, is built by a migration that resumes (drops a half-built one
 * and builds it again); it cannot be dropped CONCURRENTLY anyway.
 */
export async function checkInvalidIndexes(client: pg.ClientBase): Promise<CheckResult> {
  const { rows } = await client.query<{ name: string; table: string; partitioned: boolean }>(
    `SELECT ic.relname AS name, t.relname AS table,
            (t.relkind = 'p' OR t.relispartition) AS partitioned
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
      WHERE NOT i.indisvalid AND ic.relnamespace = current_schema()::regnamespace
      ORDER BY 1`,
  );
  return rows.length
    ? {
        name: 'invalid indexes',
        status: 'fail',
        summary: `${rows.length} INVALID index(es), left by failed concurrent builds; they slow writes and serve no query`,
        details: rows.map((r) =>
          r.partitioned
            ? `${r.name} on ${r.table}: its migration did not finish; run npm run db:migrate (it resumes)`
            : `${r.name} on ${r.table}: DROP INDEX CONCURRENTLY "${r.name}"`,
        ),
      }
    : { name: 'invalid indexes', status: 'ok', summary: 'none' };
}
