import { expect } from 'chai';
import { auditMigrations, auditMigrationOf } from '../../app/audit/audit-spec';
import { createTestDatabase, openTestDatabase } from '../support/test-database';
import { migrationStatus } from '../../app/db/migration-runner';
import { fingerprint } from '../support/fingerprint';
import { startMigrator } from '../support/run-command';
import type { TestDatabase } from '../support/test-database';
import { count, createPreAuditDatabase, migrateAll } from './audit-database';

const ROWS = 2000;
const ITEMS_BACKFILL = auditMigrationOf('items', 'backfill');

// Small, slow batches, so that the kill lands in the middle of a backfill:
// 40 batches of characters with 30 ms pauses, over a second, so progress is printed.
// Batches of 50 rows without pauses: a full migration of 1000 rows per table
// lasts long enough to be killed in every kind of step.
const SMALL_BATCHES = { GMA_BACKFILL_FIRST_BATCH: '50', GMA_BACKFILL_BATCH_MS: '1' };

const SLOW_BATCHES = {
  GMA_BACKFILL_FIRST_BATCH: '50',
  GMA_BACKFILL_BATCH_MS: '1',
  GMA_BACKFILL_PAUSE_MS: '30',
};

/** Resolves once the process has started its first migration. */
async function migrating(child: ReturnType<typeof startMigrator>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!child.stderr().includes(': migrating') && child.exitCode === null) {
    if (Date.now() > deadline) throw new Error(`the migrator did not start: ${child.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function filledItems(db: TestDatabase): Promise<number> {
  try {
    return await count(
      db.sequelize,
      'SELECT count(*) AS n FROM items WHERE modified_by IS NOT NULL',
    );
  } catch {
    return 0; // the column is not there yet
  }
}

describe('Atomicity: an interrupted migration', () => {
  const dbs: TestDatabase[] = [];
  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.drop();
  });

  it('when the migrating process is killed (SIGKILL) in the middle of a backfill and run again, the result equals an uninterrupted run', async () => {
    const { db: source } = await createPreAuditDatabase(ROWS);
    await source.sequelize.close();
    const interrupted = await createTestDatabase({ database: source.name });
    dbs.push(interrupted);
    // The source itself, migrated without interruption, is the reference.
    const reference = openTestDatabase(source.name);
    dbs.push(reference);
    await migrateAll(reference);
    const child = startMigrator(interrupted.url, SLOW_BATCHES);
    let filled = 0;
    const deadline = Date.now() + 30_000;
    while (filled < 300 && Date.now() < deadline && child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      filled = await filledItems(interrupted);
    }
    child.kill('SIGKILL');
    await child.exited;

    // It really stopped part-way through the items backfill.
    const partial = await filledItems(interrupted);
    expect(partial).to.be.above(0);
    expect(partial).to.be.below(ROWS * 0.9);
    expect((await migrationStatus(interrupted.sequelize)).executed).to.not.include(ITEMS_BACKFILL);
    // A run over a second reports rows done, rate and time left on stderr.
    expect(child.stderr()).to.match(
      /characters: audit backfill: \d+\/2000 rows \([\d.]+%\), \d+ rows\/s, about \d+ s left/,
    );

    await migrateAll(interrupted);

    const [want, got] = [
      await fingerprint(reference.sequelize),
      await fingerprint(interrupted.sequelize),
    ];
    expect(got.schema).to.deep.equal(want.schema);
    expect(got.data).to.deep.equal(want.data);
  });

  it('when the migrating process is killed (SIGKILL) at random moments of a full migration, each re-run ends where an uninterrupted run does', async function () {
    this.timeout(180_000);
    const ROUNDS = 6;
    const { db: source } = await createPreAuditDatabase(1000);
    await source.sequelize.close();
    dbs.push(source);
    const clone = async () => {
      const db = await createTestDatabase({ database: source.name });
      dbs.push(db);
      return db;
    };

    // An uninterrupted run of the same process gives the end state and the
    // span to hit: from its first "migrating" line (process start-up done) to its exit.
    const reference = await clone();
    const clean = startMigrator(reference.url, SMALL_BATCHES);
    await migrating(clean);
    const started = Date.now();
    expect(await clean.exited, clean.stderr()).to.equal(0);
    const span = Date.now() - started;
    const want = await fingerprint(reference.sequelize);

    let interrupted = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const db = await clone();
      const child = startMigrator(db.url, SMALL_BATCHES);
      await migrating(child);
      // One kill in each eighth of the run, at a random point of it.
      const delay = Math.round(span * ((round + Math.random()) / ROUNDS));
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill('SIGKILL');
      await child.exited;
      const applied = (await migrationStatus(db.sequelize)).executed;
      if (!auditMigrations().every((name) => applied.includes(name))) interrupted += 1;

      await migrateAll(db);
      const got = await fingerprint(db.sequelize);
      const moment = `the kill ${delay} ms into a ${span} ms run, after ${applied.at(-1)}`;
      expect(got.schema, `schema after ${moment}`).to.deep.equal(want.schema);
      expect(got.data, `data after ${moment}`).to.deep.equal(want.data);
      await db.drop();
    }
    expect(interrupted, 'kills that landed before the migration finished').to.be.at.least(
      ROUNDS / 2,
    );
  });
});
