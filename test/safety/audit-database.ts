import { QueryTypes, type Sequelize } from 'sequelize';
import {
  AUDITED_TABLES,
  auditMigrationsOfStep,
  firstAuditMigration,
} from '../../app/audit/audit-spec';
import { ruleCreator } from '../../app/audit/rule-sql';
import { addedColumns } from '../../app/registry';
import { listMigrationFiles, migrationMeta, MIGRATIONS_DIR } from '../../app/db/migration-files';
import { migrateUp } from '../../app/db/migration-runner';
import { ensureMigrationHistory } from '../../app/db/migrator';
import {
  fillPreAuditData,
  type PreAuditCounts,
  type PreAuditSize,
} from '../../app/dev/pre-audit-data';
import { createTestDatabase, openTestDatabase, type TestDatabase } from '../support/test-database';

const ALL = listMigrationFiles(MIGRATIONS_DIR);
const firstAuditIndex = ALL.indexOf(firstAuditMigration());

/** The rollback target that returns to the pre-audit state (`--to` is inclusive). */
export const FIRST_AUDIT = firstAuditMigration();
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

/** Applies every pending migration (the audit ones and those after them). */
export async function migrateAll(db: TestDatabase): Promise<string[]> {
  return migrateUp(db.sequelize, db.url);
}

/** Counts rows matching an SQL query returning one `n`. */
export async function count(sequelize: Sequelize, sql: string): Promise<number> {
  const [rows] = await sequelize.query(sql);
  return Number((rows as { n: string | number }[])[0]!.n);
}

/**
 * Before a backfill of an audited table whose columns are filled already
 * (a catch-up pass), empties them on half the rows, as a previous app
 * version's inserts would have left them, so the pass has work to do.
 */
async function leaveRowsToFill(db: TestDatabase, name: string): Promise<void> {
  const meta = migrationMeta(name);
  const spec = AUDITED_TABLES.find((s) => s.table === meta.table);
  if (meta.kind !== 'backfill' || !spec) return;
  const columns = await db.sequelize.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_name = :table`,
    { type: QueryTypes.SELECT, replacements: { table: spec.table } },
  );
  const added = addedColumns(spec).map((c) => c.name);
  if (!added.every((c) => columns.some((r) => r.column_name === c))) return;
  await db.sequelize.query(
    `UPDATE ${spec.table} SET ${added.map((c) => `${c} = NULL`).join(', ')} WHERE id % 2 = 0`,
  );
}

/**
 * Before a pass that clears guessed modifiers, makes half the rows look as a
 * rolling upgrade leaves them: changed by a previous app version (a history
 * entry with no actor) before the backfill, which then gave them the rule's
 * modifier (set here by an UPDATE of modified_by alone, which the history
 * does not record), so the pass has work to do.
 */
async function leaveModifiersToClear(db: TestDatabase, name: string): Promise<void> {
  if (!auditMigrationsOfStep('clearing').includes(name)) return;
  const spec = AUDITED_TABLES.find((s) => s.table === migrationMeta(name).table)!;
  await db.sequelize.query(
    `UPDATE ${spec.table} SET name = left(name, 90) || ' (edited)' WHERE id % 2 = 0`,
  );
  await db.sequelize.query(
    `UPDATE ${spec.table} t SET modified_by = ${ruleCreator(spec)}
       FROM ${spec.table} s ${spec.rule.joins?.replace(/\bt\./g, 's.') ?? ''}
      WHERE t.id = s.id AND t.id % 2 = 0`,
  );
}

/**
 * The newest clean state built before a migration (before the per-migration
 * touches above), per data size and backfill tuning, closed so that it can be
 * cloned. The per-migration safety tests ask for the states in migration
 * order, so each one is the previous one plus one migration: n migrations for
 * the whole list instead of n^2/2 from an empty database each time.
 */
const cleanStates = new Map<string, { index: number; db: TestDatabase }>();

function stateKey(rows: number): string {
  const tuning = Object.entries(process.env).filter(([key]) => key.startsWith('GMA_'));
  return JSON.stringify([rows, tuning.sort()]);
}

/** Brings a database from the clean state before migration `at` to the one before `index`. */
async function advance(db: TestDatabase, at: number, index: number, rows: number): Promise<void> {
  if (index === 0) return;
  const preAudit = Math.min(index, firstAuditIndex) - 1;
  if (at <= preAudit) await migrateUp(db.sequelize, db.url, { to: ALL[preAudit]! });
  if (index >= firstAuditIndex) {
    if (at < firstAuditIndex) await fillPreAuditData(db.sequelize, { rows });
    await migrateUp(db.sequelize, db.url, { to: ALL[index - 1]! });
  }
}

/** The clean state before migration `index`, owned by the cache: clone it, never drop it. */
async function cleanStateBefore(index: number, rows: number): Promise<TestDatabase> {
  const key = stateKey(rows);
  const cached = cleanStates.get(key);
  if (cached?.index === index) return cached.db;
  // An earlier state is advanced in place (nobody asks for it again: the
  // tests go in migration order); a later one is given up for a new chain.
  const from = cached && cached.index < index ? cached : undefined;
  if (cached && !from) await cached.db.drop();
  cleanStates.delete(key);
  const db = from ? openTestDatabase(from.db.name) : await createTestDatabase('empty');
  try {
    // The runner's history table exists before any migration runs.
    if (!from) await ensureMigrationHistory(db.sequelize);
    await advance(db, from?.index ?? 0, index, rows);
    await db.sequelize.close();
  } catch (error) {
    await db.drop();
    throw error;
  }
  cleanStates.set(key, { index, db });
  return db;
}

/**
 * A database in the state just before migration `index` of `migrations/`,
 * with `rows` of pre-audit data once the tables exist, its connections
 * closed so that it can be cloned (`createTestDatabase({ database: name })`).
 */
export async function databaseBeforeMigration(index: number, rows: number): Promise<TestDatabase> {
  const clean = await cleanStateBefore(index, rows);
  const db = await createTestDatabase({ database: clean.name });
  try {
    await leaveRowsToFill(db, ALL[index]!);
    await leaveModifiersToClear(db, ALL[index]!);
    await db.sequelize.close();
  } catch (error) {
    await db.drop();
    throw error;
  }
  // The last state is asked for once: nothing is left behind on the server.
  if (index === ALL.length - 1) {
    cleanStates.delete(stateKey(rows));
    await clean.drop();
  }
  return db;
}
