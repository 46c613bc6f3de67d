import { migrationCatalog, MIGRATIONS_DIR } from '../db/migration-files';
import type { AuditStep } from '../db/migration-meta';
import { TABLES, type TableDeclaration } from '../registry';

/*
 * What is audited, read from the registry (app/registry: each table declared
 * once) and from the migration files' meta (each audit migration says which
 * step of the audit it is, and of which table). Nothing here is a list kept
 * by hand. To audit a new table, see docs/audit.md ("Auditing another table").
 */

export { BACKFILL_LOG_TABLE } from '../db/migration-lib/backfill-log';

/** Every audited table, in the order their audit migrations were added. */
export const AUDITED_TABLES: readonly TableDeclaration[] = TABLES;

/**
 * Every audit migration, in the order they apply: the history first (so a
 * previous app version's writes are on record before the audit columns
 * appear), then each table's audit, then the passes that clear modifiers
 * the backfill guessed for rows that version changed. The first is the
 * rollback target that returns to the state before any of it (`--to` is
 * inclusive).
 */
export function auditMigrations(dir = MIGRATIONS_DIR): string[] {
  return migrationCatalog(dir)
    .filter((entry) => entry.meta.audit !== undefined)
    .map((entry) => entry.name);
}

/** The audit migrations of one step, in the order they apply (e.g. every `clearing` pass). */
export function auditMigrationsOfStep(step: AuditStep, dir = MIGRATIONS_DIR): string[] {
  return migrationCatalog(dir)
    .filter((entry) => entry.meta.audit === step)
    .map((entry) => entry.name);
}

/** The rollback target back to the state before any audit field. */
export function firstAuditMigration(dir = MIGRATIONS_DIR): string {
  const [first] = auditMigrations(dir);
  if (!first) throw new Error(`no audit migration in ${dir}`);
  return first;
}

/** Whether `name` is one of the audit migrations. */
export function isAuditMigration(name: string, dir = MIGRATIONS_DIR): boolean {
  return migrationCatalog(dir).some((entry) => entry.name === name && entry.meta.audit);
}

/** The audit migrations of one table by step, as their files declare them. */
export type TableAuditMigrations = Partial<Record<AuditStep, string>>;

/** The migrations that audit `table`, by step. */
export function auditMigrationsOf(table: string, dir = MIGRATIONS_DIR): TableAuditMigrations {
  const steps: TableAuditMigrations = {};
  for (const { name, meta } of migrationCatalog(dir)) {
    if (meta.audit && meta.table === table) steps[meta.audit] = name;
  }
  return steps;
}

/** The migration of `step` for `table`; throws naming both when there is none. */
export function auditMigrationOf(table: string, step: AuditStep, dir = MIGRATIONS_DIR): string {
  const name = auditMigrationsOf(table, dir)[step];
  if (!name) throw new Error(`${table} has no audit migration of step ${step} in ${dir}`);
  return name;
}

/** The audit entry of `table`; throws for a table that is not audited. */
export function auditedTable(table: string): TableDeclaration {
  const spec = AUDITED_TABLES.find((entry) => entry.table === table);
  if (!spec) throw new Error(`${table} is not an audited table`);
  return spec;
}

/** Table names of the audited tables. */
export const AUDITED_TABLE_NAMES: readonly string[] = AUDITED_TABLES.map((spec) => spec.table);

const referenced = new Set<string>(
  AUDITED_TABLES.flatMap((spec) => spec.rule.inputs.map((i) => i.target)),
);

/**
 * The tables the audit migrations read or write, in foreign-key order: users
 * (every audit column points there), audited tables other rules read
 * (campaigns), then the rest.
 */
export const AUDIT_TOUCHED_TABLES: readonly string[] = [
  'users',
  ...AUDITED_TABLE_NAMES.filter((name) => referenced.has(name)),
  ...AUDITED_TABLE_NAMES.filter((name) => !referenced.has(name)),
];
