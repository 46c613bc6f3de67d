import type { Sequelize } from 'sequelize';
import { listMigrationFiles, MIGRATIONS_DIR } from '../../app/db/migration-files';
import { migrateUp } from '../../app/db/migration-runner';
import {
  fillPreAuditData,
  type PreAuditCounts,
  type PreAuditSize,
} from '../fixtures/pre-audit-data';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const ALL = listMigrationFiles(MIGRATIONS_DIR);
const firstAuditIndex = ALL.findIndex((name) => name.includes('audit'));
const lastAuditIndex = ALL.findLastIndex((name) => name.includes('audit'));

/**
 * The audit migrations, in order: from the first to the last file whose name
 * says "audit". Later migrations (other changes) are not part of what this
 * suite checks, and are not applied by `migrateAll`.
 */
export const AUDIT_MIGRATIONS = ALL.slice(firstAuditIndex, lastAuditIndex + 1);
/** The newest audit migration. */
export const LAST_AUDIT = AUDIT_MIGRATIONS.at(-1)!;
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

/** Applies every pending audit migration (up to LAST_AUDIT). */
export async function migrateAll(db: TestDatabase): Promise<string[]> {
  return migrateUp(db.sequelize, db.url, { to: LAST_AUDIT });
}

/** Counts rows matching an SQL query returning one `n`. */
export async function count(sequelize: Sequelize, sql: string): Promise<number> {
  const [rows] = await sequelize.query(sql);
  return Number((rows as { n: string | number }[])[0]!.n);
}
