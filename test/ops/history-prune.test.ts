import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import pg from 'pg';
import { partitionName } from '../../app/history/partition-sql';
import { dataFingerprint } from '../support/fingerprint';
import { ensurePartitions, insertEntriesAt } from '../support/history-entries';
import { appCommand, runCommand } from '../support/run-command';
import { useTestDatabase } from '../support/test-database';

const prune = (url: string, ...args: string[]) =>
  appCommand('app/cli/history-prune.ts', url, ...args);

/** The monthly partitions and the default one, with their entry counts, by a fresh query. */
async function partitions(sequelize: Sequelize): Promise<Record<string, number>> {
  const rows = await sequelize.query<{ name: string; n: number }>(
    `SELECT c.relname AS name, (SELECT count(*)::int FROM history_entries h WHERE h.tableoid = c.oid) AS n
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'history_entries'::regclass ORDER BY 1`,
    { type: QueryTypes.SELECT },
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.n]));
}

const monthsFromNow = (months: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + months, 1));
};

describe('db:history-prune', () => {
  const db = useTestDatabase('latest');

  /**
   * Partitions from January 2026 to now, two entries in each of January and
   * February, three in March (two before the 15th), and one from 2019 in
   * the default partition (no monthly partition covers it).
   */
  async function oldHistory(): Promise<void> {
    const { sequelize } = db.current;
    await ensurePartitions(sequelize, '2026-01-01', new Date().toISOString());
    await insertEntriesAt(sequelize, 1, [
      '2019-05-01T00:00:00Z',
      '2026-01-10T00:00:00Z',
      '2026-01-31T23:59:59.999999Z',
      '2026-02-01T00:00:00Z',
      '2026-02-20T00:00:00Z',
      '2026-03-05T00:00:00Z',
      '2026-03-14T23:59:59Z',
      '2026-03-25T00:00:00Z',
    ]);
  }

  it('when given a date, drops the whole partitions before it, keeps the straddling one with its older entries (saying so), empties the default partition of older entries, and leaves the rest', async () => {
    await oldHistory();
    const before = await partitions(db.current.sequelize);
    expect(before).to.include({
      history_entries_default: 1,
      history_entries_p202601: 2,
      history_entries_p202602: 2,
      history_entries_p202603: 3,
    });

    const result = await prune(db.current.url, '--before', '2026-03-15');

    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include(
      'dropping history_entries_p202601 [2026-01-01, 2026-02-01): 2 entries',
    );
    expect(result.stdout).to.include(
      'dropping history_entries_p202602 [2026-02-01, 2026-03-01): 2 entries',
    );
    expect(result.stdout).to.include(
      'kept history_entries_p202603 [2026-03-01, 2026-04-01): it straddles the date; 2 of its entries are older than the date and stay until a prune with --before 2026-04-01 or later drops it whole',
    );
    expect(result.stdout).to.include(
      'deleting 1 entries older than the date from the default partition',
    );
    expect(result.stdout).to.include(
      'Dropped 2 partition(s) (4 entries), deleted 1 entries from the default partition',
    );
    const after = await partitions(db.current.sequelize);
    const { history_entries_p202601: _jan, history_entries_p202602: _feb, ...rest } = before;
    expect(after).to.deep.equal({ ...rest, history_entries_default: 0 });
  });

  it('when a partition ahead is missing, makes it before dropping anything', async () => {
    await oldHistory();
    const ahead = partitionName(monthsFromNow(2));
    await db.current.sequelize.query(`DROP TABLE ${ahead}`);
    const result = await prune(db.current.url, '--before', '2026-02-01');
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include('made 1 partition(s) ahead');
    const after = await partitions(db.current.sequelize);
    expect(after).to.have.property(ahead, 0);
    expect(after).to.not.have.property('history_entries_p202601');
  });

  it('when run with --dry-run, lists the partitions it would drop with their ranges and entries, and changes nothing', async () => {
    await oldHistory();
    await db.current.sequelize.query(`DROP TABLE ${partitionName(monthsFromNow(3))}`);
    const before = await dataFingerprint(db.current.sequelize);

    const result = await prune(db.current.url, '--before', '2026-03-01', '--dry-run');

    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout.trim().split('\n')).to.deep.equal([
      'would drop history_entries_p202601 [2026-01-01, 2026-02-01): 2 entries',
      'would drop history_entries_p202602 [2026-02-01, 2026-03-01): 2 entries',
      'would delete 1 entries older than the date from the default partition (entries no monthly partition covered)',
      'Dry run: nothing was changed.',
    ]);
    expect(await dataFingerprint(db.current.sequelize)).to.deep.equal(before);
  });

  it('when a long transaction reads the history, retries with short lock waits while writers go on, then gives up saying what to do and drops nothing', async () => {
    await oldHistory();
    const reader = new pg.Client({ connectionString: db.current.url });
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM history_entries_p202601');
      const pruning = runCommand(
        process.execPath,
        ['--import', 'tsx', 'app/cli/history-prune.ts', '--before', '2026-02-01'],
        {
          DATABASE_URL: db.current.url,
          GMA_DDL_ATTEMPTS: '10',
        },
      );
      // Once the prune is asking for its lock, writers must not queue behind it.
      for (let waited = 0; ; waited += 100) {
        const [found] = await db.current.sequelize.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE application_name = 'gma-history-prune' AND query LIKE 'DROP TABLE%'`,
          { type: QueryTypes.SELECT },
        );
        if (found!.n > 0) break;
        if (waited > 30_000) throw new Error('the prune never asked for its lock');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      for (let i = 0; i < 10; i++) {
        await db.current.sequelize.transaction(async (transaction) => {
          await db.current.sequelize.query('SET LOCAL statement_timeout = 1000', { transaction });
          await db.current.sequelize.query(
            `INSERT INTO history_entries (table_name, row_id, action, changes) VALUES ('items', ${i}, 'create', '{}')`,
            { transaction },
          );
        });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const result = await pruning;
      expect(result.code, result.stderr).to.equal(1);
      expect(result.stderr).to.match(
        /Gave up after 10 attempts to lock for: DROP TABLE IF EXISTS "history_entries_p202601"/,
      );
      expect(result.stderr).to.include(
        'End them (or wait for them) and run the prune again; it goes on where it stopped (0 partition(s) dropped so far).',
      );
      expect(result.stderr).to.not.match(/\n\s+at /, 'no stack trace');
    } finally {
      await reader.query('ROLLBACK');
      await reader.end();
    }
    expect(await partitions(db.current.sequelize)).to.have.property('history_entries_p202601', 2);
  });

  it('when --before is missing, not a date or later than now, exits 2 saying why and changes nothing', async () => {
    await oldHistory();
    const before = await dataFingerprint(db.current.sequelize);
    const future = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    for (const [args, message] of [
      [[], '--before <date> is required'],
      [['--before', 'last tuesday'], 'ISO date'],
      [['--before', future], 'later than now'],
    ] as const) {
      const result = await prune(db.current.url, ...args);
      expect(result.code, result.stderr).to.equal(2);
      expect(result.stderr).to.include(message).and.include('--help');
    }
    expect(await dataFingerprint(db.current.sequelize)).to.deep.equal(before);
  });

  it('when asked for --help, explains the partitions, the straddling one and --dry-run', async () => {
    const result = await prune(db.current.url, '--help');
    expect(result.code).to.equal(0);
    expect(result.stdout).to.include(
      'Usage: npm run db:history-prune -- --before <date> [--dry-run]',
    );
    expect(result.stdout).to.include('straddling');
  });
});
