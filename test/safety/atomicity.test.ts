import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import { AUDITED_TABLES, FIRST_AUDIT_MIGRATION } from '../../app/audit/audit-spec';
import { addedColumns } from '../../app/audit/audited-table';
import { MIGRATIONS_DIR, listMigrationFiles, migrationMeta } from '../../app/db/migration-files';
import { migrateUp, migrationStatus } from '../../app/db/migration-runner';
import { ensureMigrationHistory } from '../../app/db/migrator';
import { fillPreAuditData } from '../fixtures/pre-audit-data';
import {
  clearFaults,
  commandCounts,
  FAULT_MESSAGE,
  injectFault,
  type Fault,
} from '../support/fault-injection';
import { fingerprint } from '../support/fingerprint';
import { appCommand } from '../support/run-command';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const ALL = listMigrationFiles(MIGRATIONS_DIR);
const FIRST_AUDIT = ALL.indexOf(FIRST_AUDIT_MIGRATION);
const ROWS = 300;

/**
 * Every `public` table's rows, minus the columns whose default draws from a
 * sequence. A failed attempt consumes sequence values (PostgreSQL never gives
 * them back), so a re-run may number its new rows differently from a clean
 * run; everything else must be identical.
 */
async function dataWithoutDrawnIds(sequelize: Sequelize): Promise<Record<string, string>> {
  const rows = await sequelize.query<{ table: string; drawn: string[] }>(
    `SELECT c.relname AS table,
            coalesce(array_agg(a.attname::text) FILTER (
              WHERE pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%'), '{}') AS drawn
       FROM pg_class c
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
      GROUP BY c.relname ORDER BY c.relname`,
    { type: QueryTypes.SELECT },
  );
  const result: Record<string, string> = {};
  for (const { table, drawn } of rows) {
    const [row] = await sequelize.query<{ line: string }>(
      `SELECT count(*) || ' rows, md5 ' || coalesce(md5(string_agg(r, E'\\n' ORDER BY r)), '-') AS line
         FROM (SELECT (to_jsonb(t) - :drawn::text[])::text AS r FROM "${table}" t) s`,
      { type: QueryTypes.SELECT, replacements: { drawn: `{${drawn.join(',')}}` } },
    );
    result[table] = row!.line;
  }
  return result;
}

/** Where to make `name` fail: a middle batch of a data pass, else its last DDL command. */
function chooseFault(counts: { ddl: number; update: number }): Fault {
  if (counts.update >= 2 || counts.ddl === 0) return { update: Math.ceil(counts.update / 2) };
  return { ddl: counts.ddl };
}

describe('Atomicity: every migration under an injected failure', function () {
  // Backfills in batches of 50 rows, so a fault can land between two batches.
  const saved = { ...process.env };
  before(() => {
    process.env.GMA_BACKFILL_FIRST_BATCH = '50';
    process.env.GMA_BACKFILL_BATCH_MS = '1';
  });
  after(() => {
    for (const key of ['GMA_BACKFILL_FIRST_BATCH', 'GMA_BACKFILL_BATCH_MS']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  const dbs: TestDatabase[] = [];
  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.drop();
  });

  /** A database at the state just before migration `index`, with data once the tables exist. */
  async function databaseBefore(index: number): Promise<TestDatabase> {
    const db = await createTestDatabase('empty');
    dbs.push(db);
    // The runner's history table exists before any migration runs.
    await ensureMigrationHistory(db.sequelize);
    if (index > 0) {
      const preAudit = Math.min(index, FIRST_AUDIT) - 1;
      await migrateUp(db.sequelize, db.url, { to: ALL[preAudit]! });
      if (index >= FIRST_AUDIT) {
        await fillPreAuditData(db.sequelize, { rows: ROWS });
        await migrateUp(db.sequelize, db.url, { to: ALL[index - 1]! });
        await leaveRowsToFill(db, ALL[index]!);
      }
    }
    await db.sequelize.close();
    return db;
  }

  /**
   * Before a backfill of an audited table whose columns are filled already
   * (a catch-up pass), empties them on half the rows, as a previous app
   * version's inserts would have left them, so the pass has work to fail in.
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

  async function clone(source: TestDatabase): Promise<TestDatabase> {
    const db = await createTestDatabase({ database: source.name });
    dbs.push(db);
    return db;
  }

  for (const [index, name] of ALL.entries()) {
    it(`when ${name} fails part-way, the database is unchanged or resumable, SequelizeMeta does not record it, the error names it, and a re-run completes`, async () => {
      const base = await databaseBefore(index);

      // A clean run, counting the commands it issues, gives the expected end state.
      const clean = await clone(base);
      await injectFault(clean.sequelize);
      await migrateUp(clean.sequelize, clean.url, { to: name });
      const counts = await commandCounts(clean.sequelize);
      await clearFaults(clean.sequelize);
      expect(counts.ddl + counts.update, 'the migration issues DDL or updates').to.be.above(0);
      const expected = {
        schema: (await fingerprint(clean.sequelize)).schema,
        data: await dataWithoutDrawnIds(clean.sequelize),
      };

      const broken = await clone(base);
      const before = await fingerprint(broken.sequelize);
      await injectFault(broken.sequelize, chooseFault(counts));
      const failure = await migrateUp(broken.sequelize, broken.url, { to: name }).then(
        () => undefined,
        (error: Error) => error,
      );
      await clearFaults(broken.sequelize);

      expect(failure, 'the injected fault made it fail').to.be.instanceOf(Error);
      expect(failure!.message).to.include(name).and.to.include(FAULT_MESSAGE);
      expect((await migrationStatus(broken.sequelize)).executed).to.not.include(name);
      const afterFailure = await fingerprint(broken.sequelize);
      const unchanged = JSON.stringify(afterFailure) === JSON.stringify(before);
      if (!unchanged) {
        expect(
          migrationMeta(name).transactional,
          `${name} left changes behind when it failed, but declares itself transactional`,
        ).to.equal(false);
      }

      await migrateUp(broken.sequelize, broken.url, { to: name });
      expect((await migrationStatus(broken.sequelize)).executed).to.include(name);
      expect((await fingerprint(broken.sequelize)).schema, 'schema after the re-run').to.deep.equal(
        expected.schema,
      );
      expect(await dataWithoutDrawnIds(broken.sequelize), 'data after the re-run').to.deep.equal(
        expected.data,
      );
    });
  }

  it('when a migration fails under the migrate command, it exits 1 with one line naming the migration and the cause', async () => {
    const name = ALL[FIRST_AUDIT]!;
    const base = await databaseBefore(FIRST_AUDIT);
    const db = await clone(base);
    await injectFault(db.sequelize, { ddl: 1 });
    const result = await appCommand('app/cli/migrate.ts', db.url);
    await clearFaults(db.sequelize);
    expect(result.code).to.equal(1);
    const errorLines = result.stderr.split('\n').filter((line) => line.startsWith('db:migrate:'));
    expect(errorLines).to.have.length(1);
    expect(errorLines[0]).to.include(name).and.to.include(FAULT_MESSAGE);
    expect((await migrationStatus(db.sequelize)).executed).to.not.include(name);
  });
});
