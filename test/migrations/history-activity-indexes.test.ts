import { expect } from 'chai';
import path from 'node:path';
import pg from 'pg';
import { QueryTypes, type QueryInterface, type Sequelize } from 'sequelize';
import { listMigrationFiles, MIGRATIONS_DIR } from '../../app/db/migration-files';
import { migrateDown, migrateUp, migrationStatus } from '../../app/db/migration-runner';
import {
  ACTIVITY_BY_ACTOR_INDEX,
  ACTIVITY_BY_KIND_INDEX,
} from '../../app/history/activity-indexes';
import { activityIndexMigrations } from '../../app/history/history-spec';
import { schemaFingerprint } from '../support/fingerprint';
import { ensurePartitions, insertEntriesAt } from '../support/history-entries';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

// The activity indexes of the history: built on a partitioned table that
// already holds entries, one partition at a time, while writers go on; a
// re-run after a crash at any point ends where a clean run ends.

const [BY_KIND, BY_ACTOR] = activityIndexMigrations() as [string, string];
const ALL = listMigrationFiles(MIGRATIONS_DIR);
const BEFORE = ALL[ALL.indexOf(BY_KIND) - 1]!;
const SPECS = [ACTIVITY_BY_KIND_INDEX, ACTIVITY_BY_ACTOR_INDEX];
/** Months holding entries, and one far back that only the default partition takes. */
const MONTHS = ['2026-06-15T10:00:00Z', '2026-07-15T10:00:00Z', '2026-08-15T10:00:00Z'];
const UNPARTITIONED = '2019-01-15T10:00:00Z';

interface PartitionIndex {
  partition: string;
  index: string;
  valid: boolean;
  /** The parent index it is attached to, or null. */
  parent: string | null;
}

/** Every index of every history partition with the keys of `spec`, by a fresh query. */
async function partitionIndexes(sequelize: Sequelize, keysLike: string): Promise<PartitionIndex[]> {
  return sequelize.query<PartitionIndex>(
    `SELECT p.relname AS partition, ic.relname AS index, i.indisvalid AS valid,
            (SELECT pc.relname FROM pg_inherits ii JOIN pg_class pc ON pc.oid = ii.inhparent
              WHERE ii.inhrelid = i.indexrelid) AS parent
       FROM pg_inherits t
       JOIN pg_class p ON p.oid = t.inhrelid
       JOIN pg_index i ON i.indrelid = p.oid
       JOIN pg_class ic ON ic.oid = i.indexrelid
      WHERE t.inhparent = 'history_entries'::regclass
        AND pg_get_indexdef(i.indexrelid) LIKE $1
      ORDER BY 1, 2`,
    { bind: [`% USING btree (${keysLike})`], type: QueryTypes.SELECT },
  );
}

const KIND_KEYS = 'campaign_id, table_name, at DESC, id DESC';
const ACTOR_KEYS = 'campaign_id, actor_id, table_name, at DESC, id DESC';

async function parentValid(sequelize: Sequelize, name: string): Promise<boolean | null> {
  const [row] = await sequelize.query<{ valid: boolean }>(
    `SELECT i.indisvalid AS valid FROM pg_index i WHERE i.indexrelid = to_regclass($1)`,
    { bind: [name], type: QueryTypes.SELECT },
  );
  return row?.valid ?? null;
}

async function partitions(sequelize: Sequelize): Promise<string[]> {
  const rows = await sequelize.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits t JOIN pg_class c ON c.oid = t.inhrelid
      WHERE t.inhparent = 'history_entries'::regclass ORDER BY 1`,
    { type: QueryTypes.SELECT },
  );
  return rows.map((row) => row.name);
}

/** A database just before the activity indexes, with entries in three monthly partitions and the default one. */
async function historyBeforeIndexes(): Promise<TestDatabase> {
  const db = await createTestDatabase('empty');
  await migrateUp(db.sequelize, db.url, { to: BEFORE });
  await ensurePartitions(db.sequelize, MONTHS[0]!, MONTHS.at(-1)!);
  await insertEntriesAt(db.sequelize, 1, [...MONTHS, UNPARTITIONED, ...MONTHS]);
  return db;
}

describe('Migrations: the activity indexes of the history', () => {
  const dbs: TestDatabase[] = [];
  const clients: pg.Client[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.end().catch(() => undefined);
    for (const db of dbs.splice(0)) await db.drop();
  });

  async function database(): Promise<TestDatabase> {
    const db = await historyBeforeIndexes();
    dbs.push(db);
    return db;
  }

  async function connect(db: TestDatabase, name: string): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: db.url, application_name: name });
    await client.connect();
    clients.push(client);
    return client;
  }

  it('when the history holds entries, up gives every partition (default included) its index attached to a valid parent, named as PostgreSQL names the one it makes for a partition attached later', async () => {
    const db = await database();
    await migrateUp(db.sequelize, db.url);

    const before = await partitions(db.sequelize);
    expect(before).to.include('history_entries_default').and.include('history_entries_p202607');
    // A partition made after the migration gets its indexes from PostgreSQL itself, on ATTACH.
    expect(await ensurePartitions(db.sequelize, '2031-01-01', '2031-01-31')).to.equal(1);
    const all = await partitions(db.sequelize);
    for (const [spec, keys] of [
      [ACTIVITY_BY_KIND_INDEX, KIND_KEYS],
      [ACTIVITY_BY_ACTOR_INDEX, ACTOR_KEYS],
    ] as const) {
      expect(await parentValid(db.sequelize, spec.name), spec.name).to.equal(true);
      const indexes = await partitionIndexes(db.sequelize, keys);
      expect(
        indexes.map((i) => i.partition),
        spec.name,
      ).to.deep.equal(all);
      for (const index of indexes) {
        expect(index, spec.name).to.include({ valid: true, parent: spec.name });
      }
      // The same name on every partition once the partition's own name is taken out.
      const made = indexes.find((i) => i.partition === 'history_entries_p203101')!;
      const pattern = made.index.replace(made.partition, '');
      expect(
        indexes.map((i) => i.index.replace(i.partition, '')),
        spec.name,
      ).to.deep.equal(all.map(() => pattern));
    }
  });

  it('when a build was cut short, leaving an invalid index on one partition and a finished one not yet attached on another, a re-run drops the first, attaches the second, and ends as a clean run does', async () => {
    const clean = await database();
    await migrateUp(clean.sequelize, clean.url);
    const db = await database();

    // What a crash inside the first migration leaves: the parent made ON ONLY,
    // one partition's build finished but not attached, another's cancelled mid-build.
    await db.sequelize.query(
      `CREATE INDEX ${ACTIVITY_BY_KIND_INDEX.name} ON ONLY history_entries (${KIND_KEYS})`,
    );
    await db.sequelize.query(`CREATE INDEX ON history_entries_p202606 (${KIND_KEYS})`);
    const writer = await connect(db, 'test-open-writer');
    const builder = await connect(db, 'test-builder');
    await writer.query('BEGIN');
    await writer.query(
      `INSERT INTO history_entries (at, table_name, row_id, action, changes)
       VALUES ('2026-07-20T00:00:00Z', 'items', 1, 'update', '{}')`,
    );
    // The build waits for the open writer; cancelling it there leaves its index INVALID.
    const build = builder
      .query(`CREATE INDEX CONCURRENTLY ON history_entries_p202607 (${KIND_KEYS})`)
      .then(
        () => 'finished',
        (error: Error) => error.message,
      );
    const admin = await connect(db, 'test-admin');
    for (let waited = 0; ; waited += 20) {
      const { rows } = await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE application_name = 'test-builder' AND wait_event_type = 'Lock'`,
      );
      if (rows[0]) {
        await admin.query('SELECT pg_cancel_backend($1)', [rows[0].pid]);
        break;
      }
      if (waited > 10_000) throw new Error('the build never waited for the open writer');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await build).to.include('canceling statement');
    await writer.query('ROLLBACK');
    const leftovers = await partitionIndexes(db.sequelize, KIND_KEYS);
    expect(leftovers.map((i) => [i.partition, i.valid, i.parent])).to.deep.equal([
      ['history_entries_p202606', true, null],
      ['history_entries_p202607', false, null],
    ]);

    await migrateUp(db.sequelize, db.url);

    expect(await schemaFingerprint(db.sequelize)).to.deep.equal(
      await schemaFingerprint(clean.sequelize),
    );
    const after = await partitionIndexes(db.sequelize, KIND_KEYS);
    expect(after.filter((i) => i.parent !== ACTIVITY_BY_KIND_INDEX.name || !i.valid)).to.deep.equal(
      [],
    );
    expect(after.find((i) => i.partition === 'history_entries_p202606')!.index).to.equal(
      leftovers[0]!.index,
    );
  });

  it('when a transaction holds this month’s partition during the build, another writer of that partition is never held up, and the build finishes after it', async function () {
    this.timeout(60_000);
    const db = await database();
    const holder = await connect(db, 'test-long-transaction');
    const writer = await connect(db, 'test-writer');
    // Written straight into this month's partition, the one the writer writes
    // too: the lock it holds is on that partition alone, so what waits for it
    // is that partition's build, not the short catalog step on the parent.
    const { rows } = await holder.query<{ partition: string }>(
      `SELECT 'history_entries_p' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMM') AS partition`,
    );
    await holder.query('BEGIN');
    await holder.query(
      `INSERT INTO ${rows[0]!.partition} (at, table_name, row_id, campaign_id, action, changes)
       VALUES (now(), 'items', 1, 1, 'update', '{}')`,
    );
    const migration = migrateUp(db.sequelize, db.url);
    const latencies: number[] = [];
    const release = setTimeout(() => void holder.query('COMMIT'), 1500);
    let done = false;
    void migration.finally(() => (done = true)).catch(() => undefined);
    while (!done) {
      const started = performance.now();
      await writer.query(
        `INSERT INTO history_entries (at, table_name, row_id, campaign_id, action, changes)
         VALUES (now(), 'characters', 2, 1, 'update', '{}')`,
      );
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    clearTimeout(release);
    await migration;
    expect(latencies.length).to.be.above(20);
    expect(Math.max(...latencies)).to.be.below(500);
    for (const spec of SPECS) expect(await parentValid(db.sequelize, spec.name)).to.equal(true);
  });

  it('when migrated down, both indexes are gone from the history and every partition, and running the downs again changes nothing', async () => {
    const db = await database();
    const before = await schemaFingerprint(db.sequelize);
    await migrateUp(db.sequelize, db.url);
    await migrateDown(db.sequelize, db.url, { to: BY_KIND });
    expect(await schemaFingerprint(db.sequelize)).to.deep.equal(before);
    expect(await partitionIndexes(db.sequelize, KIND_KEYS)).to.deep.equal([]);
    expect(await partitionIndexes(db.sequelize, ACTOR_KEYS)).to.deep.equal([]);
    const { executed } = await migrationStatus(db.sequelize);
    expect(executed).to.not.include(BY_KIND).and.not.include(BY_ACTOR);
    // A crash between a down and its record: the down runs again.
    for (const name of [BY_ACTOR, BY_KIND]) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a migration file, loaded as the runner does
      const migration = require(path.join(MIGRATIONS_DIR, name)) as {
        down(queryInterface: QueryInterface): Promise<void>;
      };
      await migration.down(db.sequelize.getQueryInterface());
    }
    expect(await schemaFingerprint(db.sequelize)).to.deep.equal(before);
  });
});
