import type { Sequelize } from 'sequelize';
import {
  AUDIT_MIGRATIONS as SPEC_MIGRATIONS,
  FIRST_AUDIT_MIGRATION,
} from '../../app/audit/audit-spec';
import { listMigrationFiles, MIGRATIONS_DIR } from '../../app/db/migration-files';
import { migrateUp } from '../../app/db/migration-runner';
import {
  fillPreAuditData,
  type PreAuditCounts,
  type PreAuditSize,
} from '../fixtures/pre-audit-data';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const ALL = listMigrationFiles(MIGRATIONS_DIR);
const firstAuditIndex = ALL.indexOf(FIRST_AUDIT_MIGRATION);

/** The audit migrations, in order, as the audit specification lists them. */
export const AUDIT_MIGRATIONS = [...SPEC_MIGRATIONS];
/** The rollback target that returns to the pre-audit state (`--to` is inclusive). */
export const FIRST_AUDIT = FIRST_AUDIT_MIGRATION;
/** Every migration from the first audit one on: what `migrateAll` applies, what a rollback to FIRST_AUDIT reverts. */
export const FROM_FIRST_AUDIT = ALL.slice(firstAuditIndex);

/** The migration applied just before `name`. */
export function migrationBefore(name: string): string {
  return ALL[ALL.indexOf(name) - 1]!;
}

/** The newest migration of the pre-audit state. */
export const LAST_PRE_AUDIT = ALL[firstAuditIndex - 1]!;

/** A fresh database migrated to the pre-audit state and filled with `rows` per content table. */
export async function createPreAuditDatabase(
  size: number | PreAuditSize,
): Promise<{ db: TestDatabase; counts: PreAuditCounts }> {
  const db = await createTestDatabase('empty');
  await migrateUp(db.sequelize, db.url, { to: LAST_PRE_AUDIT });
  const counts = await fillPreAuditData(
    db.sequelize,
    typeof size === 'number' ? { rows: size } : size,
  );
  return { db, counts };
}

/** Applies every pending migration (the audit ones). */
export async function migrateAll(db: TestDatabase): Promise<string[]> {
  return migrateUp(db.sequelize, db.url);
}

/** Counts rows matching an SQL query returning one `n`. */
export async function count(sequelize: Sequelize, sql: string): Promise<number> {
  const [rows] = await sequelize.query(sql);
  return Number((rows as { n: string | number }[])[0]!.n);
}
