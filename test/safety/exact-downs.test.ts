import { expect } from 'chai';
import pg from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';
import { auditMigrationOf } from '../../app/audit/audit-spec';
import { listMigrationFiles, migrationMeta, MIGRATIONS_DIR } from '../../app/db/migration-files';
import { migrateDown, migrateUp } from '../../app/db/migration-runner';
import { RECORD_SCHEMA } from '../../app/db/migration-lib/recorded-fills';
import { createSequelize } from '../../app/db/sequelize';
import { writeAsPreviousVersion } from '../../app/dev/previous-version-writes';
import { isBehaviour } from '../../app/ops/release/normalize-sql';
import { recordQueries } from '../../app/ops/plan/sql-recorder';
import { fingerprint } from '../support/fingerprint';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { databaseBeforeMigration, FROM_FIRST_AUDIT } from './audit-database';

const ALL = listMigrationFiles(MIGRATIONS_DIR);
/** Every migration after the first audit one, in the order they apply. */
const STEPS = FROM_FIRST_AUDIT.slice(1);
const ROWS = 40;
const CAMPAIGN_COLUMNS = 'campaigns';
const UNDO_TARGETS = [
  auditMigrationOf(CAMPAIGN_COLUMNS, 'columns'),
  auditMigrationOf('characters', 'catch-up'),
];
/**
 * The one down known to leave something behind: the history partitions'
 * down drops the partition-making function but keeps the (empty) monthly
 * partitions its up made ("the partitions belong to the table"). Only empty
 * history_entries_p* tables may differ after it; anything else fails.
 */
const KEEPS_EMPTY_PARTITIONS = '20261124090100-create-history-partitions.ts';
const emptyPartition = (line: string) =>
  /^(CREATE INDEX )?history_entries_p\d{6}\b|ON public\.history_entries_p\d{6} /.test(line);

/** Runs `fn`, returning whether it sent any statement that changes something to the database. */
async function sendsChanges(database: string, fn: () => Promise<unknown>): Promise<boolean> {
  let sent = false;
  await recordQueries(
    database,
    ({ sql }) => {
      if (isBehaviour(sql)) sent = true;
    },
    fn,
  );
  return sent;
}

describe('Rollback: every down undoes its own up, exactly, whatever a previous version wrote before it', function () {
  // About 40 migrations, each up, down and up again on a few hundred rows.
  this.timeout(300_000);
  let db: TestDatabase;
  let sequelize: Sequelize;
  /** The state before each undo target's up, cloned on the way. */
  const kept = new Map<
    string,
    { db: TestDatabase; print: Awaited<ReturnType<typeof fingerprint>> }
  >();

  before(async () => {
    db = await databaseBeforeMigration(ALL.indexOf(STEPS[0]!), ROWS);
    sequelize = createSequelize(db.url);
  });
  after(async () => {
    await sequelize?.close();
    await db?.drop();
    for (const state of kept.values()) await state.db.drop();
  });

  it('when each migration after the first audit one runs up then down, every table equals its state before the up, and up again succeeds', async () => {
    const inexact: string[] = [];
    for (const [k, name] of STEPS.entries()) {
      await writeAsPreviousVersion(sequelize, k);
      if (UNDO_TARGETS.includes(name)) {
        await sequelize.close();
        const copy = await createTestDatabase({ database: db.name });
        kept.set(name, { db: copy, print: await fingerprint(copy.sequelize) });
        sequelize = createSequelize(db.url);
      }
      const start = await fingerprint(sequelize);
      await migrateUp(sequelize, db.url, { to: name });
      const sent = await sendsChanges(db.name, () => migrateDown(sequelize, db.url, { to: name }));
      const end = await fingerprint(sequelize);
      const tables = new Set([...Object.keys(start.data), ...Object.keys(end.data)]);
      const leftover = (line: string) => name === KEEPS_EMPTY_PARTITIONS && emptyPartition(line);
      const differing = [...tables].filter(
        (t) =>
          start.data[t] !== end.data[t] &&
          !(leftover(t) && start.data[t] === undefined && end.data[t]?.startsWith('0 rows')),
      );
      if (differing.length > 0) inexact.push(`${name}: rows of ${differing.join(', ')}`);
      for (const part of ['columns', 'constraints', 'indexes', 'comments'] as const) {
        const gone = start.schema[part].filter((l) => !end.schema[part].includes(l));
        const added = end.schema[part].filter((l) => !start.schema[part].includes(l));
        const changed = [...gone, ...added.filter((l) => !leftover(l))];
        if (changed.length > 0) inexact.push(`${name}: schema ${part}: ${changed.join(' / ')}`);
      }
      const declared = migrationMeta(name).down;
      expect(sent, `${name}: its down sends nothing, so its meta says why (down.none)`).to.equal(
        declared === undefined,
      );
      await migrateUp(sequelize, db.url, { to: name });
    }
    expect(inexact, 'migrations whose down left rows that differ').to.deep.equal([]);
  });

  for (const target of UNDO_TARGETS) {
    it(`when everything is applied and then undone back to ${target} (inclusive), every table equals its state before ${target}`, async () => {
      const state = kept.get(target);
      expect(state, 'the step test passed by it').to.not.equal(undefined);
      await migrateUp(state!.db.sequelize, state!.db.url);
      await migrateDown(state!.db.sequelize, state!.db.url, { to: target });
      expect(await fingerprint(state!.db.sequelize)).to.deep.equal(state!.print);
    });
  }
});

describe('Rollback: a fill pass records what it writes, also while a previous version writes', function () {
  this.timeout(120_000);
  const CATCH_UP = auditMigrationOf('items', 'catch-up');
  let state: TestDatabase;
  let db: { sequelize: Sequelize; url: string; directUrl: string };

  beforeEach(async () => {
    state = await databaseBeforeMigration(ALL.indexOf(CATCH_UP), ROWS);
    db = { sequelize: createSequelize(state.url), url: state.url, directUrl: state.directUrl };
  });
  afterEach(async () => {
    await db.sequelize.close();
    await state.drop();
  });

  it('when a previous version sets a modifier to NULL while the catch-up runs and the catch-up then fills it, its down sets it back to NULL', async () => {
    const ids = await db.sequelize.query<{ id: number }>(
      `SELECT id FROM items WHERE modified_by IS NOT NULL AND created_by IS NOT NULL
          AND id NOT IN (SELECT row_id FROM audit_backfill_log WHERE table_name = 'items')
        ORDER BY id`,
      { type: QueryTypes.SELECT },
    );
    const late = ids.at(-1)!.id;
    // The first row the catch-up will fill, held (FOR UPDATE) so that the pass waits there.
    await db.sequelize.query(
      `UPDATE items SET modified_by = NULL WHERE id = (SELECT min(id) FROM items)`,
    );
    const holder = new pg.Client({ connectionString: db.directUrl });
    await holder.connect();
    const saved = process.env.GMA_BACKFILL_FIRST_BATCH;
    process.env.GMA_BACKFILL_FIRST_BATCH = '2';
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM items WHERE id = (SELECT min(id) FROM items) FOR UPDATE`);
      const up = migrateUp(db.sequelize, db.url, { to: CATCH_UP });
      // Wait until the pass waits for the held row: it has started and counted.
      for (let waited = 0; ; waited += 20) {
        const [[row]] = (await db.sequelize.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE application_name = 'gma-audit-migration' AND wait_event_type = 'Lock'`,
        )) as [{ n: number }[], unknown];
        if (row!.n > 0) break;
        if (waited > 20_000) throw new Error('the catch-up never reached the held row');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // Meanwhile the previous version changes a row the pass has not reached: its modifier becomes NULL.
      await db.sequelize.query(
        `UPDATE items SET description = 'changed during the catch-up' WHERE id = ${late}`,
      );
      await holder.query('COMMIT');
      await up;
    } finally {
      process.env.GMA_BACKFILL_FIRST_BATCH = saved;
      if (saved === undefined) delete process.env.GMA_BACKFILL_FIRST_BATCH;
      await holder.end();
    }
    const [[filled]] = (await db.sequelize.query(
      `SELECT modified_by FROM items WHERE id = ${late}`,
    )) as [{ modified_by: number | null }[], unknown];
    expect(filled!.modified_by, 'the catch-up filled the row').to.not.equal(null);

    await migrateDown(db.sequelize, db.url, { to: CATCH_UP });

    const [[after]] = (await db.sequelize.query(
      `SELECT modified_by FROM items WHERE id = ${late}`,
    )) as [{ modified_by: number | null }[], unknown];
    expect(after!.modified_by).to.equal(null);
  });

  it('when the catch-up ran without a record (applied before the runner recorded fills), its down keeps the modifiers, reverts the logged creators as before, and says so with the counts', async () => {
    await db.sequelize.query(`UPDATE items SET modified_by = NULL WHERE id % 3 = 0`);
    await migrateUp(db.sequelize, db.url, { to: CATCH_UP });
    await db.sequelize.query(`DELETE FROM ${RECORD_SCHEMA}.runs WHERE step = 'catch-up'`);
    const [[filled]] = (await db.sequelize.query(
      `SELECT count(*)::int AS n FROM items WHERE modified_by IS NOT NULL`,
    )) as [{ n: number }[], unknown];
    const lines: string[] = [];

    await migrateDown(db.sequelize, db.url, { to: CATCH_UP, log: (line) => lines.push(line) });

    const said = lines.find((line) => line.includes('ran without a record'));
    expect(said, lines.join('\n')).to.match(/row\(s\) keep a modifier it may have written/);
    const [[left]] = (await db.sequelize.query(
      `SELECT count(*)::int AS n FROM items WHERE modified_by IS NOT NULL`,
    )) as [{ n: number }[], unknown];
    expect(said).to.include(`${left!.n} row(s) keep`);
    expect(left!.n).to.be.greaterThan(0).and.at.most(filled!.n);
    const [[logged]] = (await db.sequelize.query(
      `SELECT count(*)::int AS n FROM audit_backfill_log WHERE table_name = 'items'`,
    )) as [{ n: number }[], unknown];
    expect(logged!.n, 'the logged creators were reverted and forgotten').to.equal(0);
  });
});
