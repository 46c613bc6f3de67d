import { expect } from 'chai';
import type { Sequelize } from 'sequelize';
import { MIGRATIONS_DIR, listMigrationFiles, migrationMeta } from '../../app/db/migration-files';
import { migrateDown, migrateUp, migrationStatus } from '../../app/db/migration-runner';
import { dataWithoutDrawnIds, schemaFingerprint } from '../support/fingerprint';
import { createTestDatabase, openTestDatabase, type TestDatabase } from '../support/test-database';
import { readTranscripts } from '../../app/ops/release/record-store';
import { databaseBeforeMigration } from './audit-database';

// The crash window between a migration's commit and its SequelizeMeta record.
// A trigger makes the record of one migration fail, which is what a crash
// right after its up() (or down()) returned looks like to the database: for a
// migration the runner runs in one transaction with its record, nothing has
// committed; for the others, the step has committed and the record has not.
// Either way a re-run must succeed and end where a clean run ends.
//
// Every migration whose step can commit before its record is tried: for
// those the window is real. That is every migration the runner does not run
// in one transaction with its record, and every transactional one that sends
// its DDL on a connection of its own (online DDL with lock_timeout retries),
// as its released transcript shows (a BEGIN inside the runner's
// transaction); a migration not released yet is tried whatever it declares.
// Of the transactional ones whose step shares the runner's transaction, the
// first stands for all.

const ALL = listMigrationFiles(MIGRATIONS_DIR);
const transcripts = new Map(readTranscripts().map((t) => [t.migration, t]));

function commitsApart(name: string): boolean {
  if (!migrationMeta(name).transactional) return true;
  const transcript = transcripts.get(name);
  if (!transcript) return true;
  return [transcript.up, transcript.down].some(
    ({ statements }) => statements[0] === 'START TRANSACTION' && statements.includes('BEGIN'),
  );
}

const FIRST_SHARED = ALL.find((name) => !commitsApart(name));
const TRIED = ALL.filter((name) => commitsApart(name) || name === FIRST_SHARED);
const ROWS = 200;
const CRASH = 'injected crash before the record';

async function failRecordOf(sequelize: Sequelize, name: string): Promise<void> {
  await sequelize.query(`
    CREATE SCHEMA gma_crash;
    CREATE FUNCTION gma_crash.fail() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (TG_OP = 'INSERT' AND NEW.name = '${name}') OR (TG_OP = 'DELETE' AND OLD.name = '${name}') THEN
        RAISE EXCEPTION '${CRASH} of %', '${name}';
      END IF;
      RETURN coalesce(NEW, OLD);
    END $$;
    CREATE TRIGGER gma_crash BEFORE INSERT OR DELETE ON "SequelizeMeta"
      FOR EACH ROW EXECUTE FUNCTION gma_crash.fail();`);
}

async function clearCrash(sequelize: Sequelize): Promise<void> {
  await sequelize.query(`
    DROP TRIGGER IF EXISTS gma_crash ON "SequelizeMeta";
    DROP SCHEMA IF EXISTS gma_crash CASCADE;`);
}

/** Schema, plus data of the app's tables and of the audit archive (ids drawn from sequences aside). */
async function state(sequelize: Sequelize) {
  return {
    schema: await schemaFingerprint(sequelize),
    data: await dataWithoutDrawnIds(sequelize, ['public', 'audit_archive']),
  };
}

async function failure(run: Promise<unknown>): Promise<Error | undefined> {
  return run.then(
    () => undefined,
    (error: Error) => error,
  );
}

describe('Atomicity: a crash between a migration and its SequelizeMeta record', () => {
  const dbs: TestDatabase[] = [];
  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.drop();
  });

  async function clone(source: TestDatabase): Promise<TestDatabase> {
    const db = await createTestDatabase({ database: source.name });
    dbs.push(db);
    return db;
  }

  for (const name of TRIED) {
    it(`when ${name} is not recorded after its up or its down, a re-run of the same command ends where a clean run does`, async () => {
      const base = await databaseBeforeMigration(ALL.indexOf(name), ROWS);
      // The crashed runs use the base itself (its handle connects on first use,
      // after the clone below).
      const crashed = openTestDatabase(base.name);
      dbs.push(crashed);

      // Clean runs: up to this migration, and that migration reverted again.
      const clean = await clone(base);
      await migrateUp(clean.sequelize, clean.url, { to: name });
      const afterUp = await state(clean.sequelize);
      await migrateDown(clean.sequelize, clean.url, { step: 1 });
      const afterDown = await state(clean.sequelize);

      await failRecordOf(crashed.sequelize, name);
      const upFailure = await failure(migrateUp(crashed.sequelize, crashed.url, { to: name }));
      expect(upFailure?.message, 'the record of up failed').to.include(CRASH);
      await clearCrash(crashed.sequelize);
      expect((await migrationStatus(crashed.sequelize)).executed).to.not.include(name);
      await migrateUp(crashed.sequelize, crashed.url, { to: name });
      expect(await state(crashed.sequelize), 'after re-running up').to.deep.equal(afterUp);

      await failRecordOf(crashed.sequelize, name);
      const downFailure = await failure(migrateDown(crashed.sequelize, crashed.url, { step: 1 }));
      expect(downFailure?.message, 'the record of down failed').to.include(CRASH);
      await clearCrash(crashed.sequelize);
      expect((await migrationStatus(crashed.sequelize)).executed).to.include(name);
      await migrateDown(crashed.sequelize, crashed.url, { step: 1 });
      expect(await state(crashed.sequelize), 'after re-running down').to.deep.equal(afterDown);
    });
  }
});
