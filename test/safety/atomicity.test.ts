import { expect } from 'chai';
import { firstAuditMigration } from '../../app/audit/audit-spec';
import { MIGRATIONS_DIR, listMigrationFiles, migrationMeta } from '../../app/db/migration-files';
import { migrateUp, migrationStatus } from '../../app/db/migration-runner';
import {
  clearFaults,
  commandCounts,
  FAULT_MESSAGE,
  injectFault,
  type Fault,
} from '../support/fault-injection';
import { dataWithoutDrawnIds, fingerprint } from '../support/fingerprint';
import { appCommand } from '../support/run-command';
import { createTestDatabase, openTestDatabase, type TestDatabase } from '../support/test-database';
import { databaseBeforeMigration } from './audit-database';

const ALL = listMigrationFiles(MIGRATIONS_DIR);
const FIRST_AUDIT = ALL.indexOf(firstAuditMigration());
const ROWS = 300;

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

  /**
   * A database at the state just before migration `index`, with data once
   * the tables exist. Its handle is closed so that it can be cloned; `reuse`
   * is a new handle on the same database, for the run that needs it last.
   */
  async function databaseBefore(
    index: number,
  ): Promise<{ base: TestDatabase; reuse: TestDatabase }> {
    const base = await databaseBeforeMigration(index, ROWS);
    const reuse = openTestDatabase(base.name);
    dbs.push(reuse);
    return { base, reuse };
  }

  async function clone(source: TestDatabase): Promise<TestDatabase> {
    const db = await createTestDatabase({ database: source.name });
    dbs.push(db);
    return db;
  }

  for (const [index, name] of ALL.entries()) {
    it(`when ${name} fails part-way, the database is unchanged or resumable, SequelizeMeta does not record it, the error names it, and a re-run completes`, async () => {
      const { base, reuse } = await databaseBefore(index);

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

      const broken = reuse;
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
    const { reuse: db } = await databaseBefore(FIRST_AUDIT);
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
