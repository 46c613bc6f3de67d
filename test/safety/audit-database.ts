import type { Sequelize } from 'sequelize';
import { listMigrationFiles, MIGRATIONS_DIR } from '../../app/db/migration-files';
import { migrateUp, migrationStatus } from '../../app/db/migration-runner';
import {
  fillPreAuditData,
  type PreAuditCounts,
  type PreAuditSize,
} from '../fixtures/pre-audit-data';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const ALL = listMigrationFiles(MIGRATIONS_DIR);
const firstAuditIndex = ALL.findIndex((name) => name.includes('audit'));

/** The audit migrations, in order: every file from the first whose name says "audit". */
export const AUDIT_MIGRATIONS = ALL.slice(firstAuditIndex);
/** The rollback target that returns to the pre-audit state (`--to` is inclusive). */
export const FIRST_AUDIT = AUDIT_MIGRATIONS[0]!;
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

/**
 * A database in the state just before migration `index` of `migrations/`,
 * with `rows` of pre-audit data once the tables exist, its connections
 * closed so that it can be cloned (`createTestDatabase({ database: name })`).
 */
export async function databaseBeforeMigration(index: number, rows: number): Promise<TestDatabase> {
  const db = await createTestDatabase('empty');
  try {
    // The runner's history table exists before any migration runs.
    await migrationStatus(db.sequelize);
    if (index > 0) {
      const preAudit = Math.min(index, firstAuditIndex) - 1;
      await migrateUp(db.sequelize, db.url, { to: ALL[preAudit]! });
      if (index >= firstAuditIndex) {
        await fillPreAuditData(db.sequelize, { rows });
        await migrateUp(db.sequelize, db.url, { to: ALL[index - 1]! });
      }
    }
    await db.sequelize.close();
    return db;
  } catch (error) {
    await db.drop();
    throw error;
  }
}
