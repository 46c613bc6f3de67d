import { expect } from 'chai';
import { auditedTable } from '../../app/audit/audit-spec';
import { migrationStatus } from '../../app/db/migration-runner';
import { fingerprint } from '../support/fingerprint';
import { startMigrator } from '../support/run-command';
import type { TestDatabase } from '../support/test-database';
import { count, createPreAuditDatabase, migrateAll } from './audit-database';

const ROWS = 2000;
const ITEMS_BACKFILL = auditedTable('items').migrations.backfill;

// Small, slow batches, so that the kill lands in the middle of a backfill:
// 40 batches of characters with 30 ms pauses, over a second, so progress is printed.
const SLOW_BATCHES = {
  GMA_BACKFILL_FIRST_BATCH: '50',
  GMA_BACKFILL_BATCH_MS: '1',
  GMA_BACKFILL_PAUSE_MS: '30',
};

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

describe('Atomicity: an interrupted backfill', () => {
  const dbs: TestDatabase[] = [];
  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.drop();
  });

  it('when the migrating process is killed (SIGKILL) in the middle of a backfill and run again, the result equals an uninterrupted run', async () => {
    const { db: reference } = await createPreAuditDatabase(ROWS);
    const { db: interrupted } = await createPreAuditDatabase(ROWS);
    dbs.push(reference, interrupted);
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
});
