import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { migrateDown, migrateUp } from '../../app/db/migration-runner';
import { historyMigrations } from '../../app/history/history-spec';
import { allEntries, campaignWithHistory, insertEntriesAt } from '../support/history-entries';
import { appCommand } from '../support/run-command';
import { useTestDatabase } from '../support/test-database';

const archive = (url: string, ...args: string[]) =>
  appCommand('app/cli/history-archive.ts', url, ...args);

describe('db:history-archive', () => {
  const db = useTestDatabase('latest');
  const rollBackHistory = () =>
    migrateDown(db.current.sequelize, db.current.url, { to: historyMigrations()[0] });
  const migrateAll = () => migrateUp(db.current.sequelize, db.current.url);
  const exists = async (name: string) => {
    const [row] = await db.current.sequelize.query<{ found: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS found',
      { bind: [name], type: QueryTypes.SELECT },
    );
    return row!.found;
  };

  it('when the history was rolled back, shows what the archive holds and changes nothing; re-applying brings every entry back', async () => {
    const { campaignId } = await campaignWithHistory('kept');
    await insertEntriesAt(db.current.sequelize, campaignId, ['2024-02-29T12:00:00Z']);
    const entries = await allEntries(db.current.sequelize);
    await rollBackHistory();
    expect(await exists('history_entries')).to.equal(false);

    const result = await archive(db.current.url);

    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(
      new RegExp(
        `history_entries_archived: ${entries.length} entries, from 2024-02-29T12:00:00.000Z to \\S+Z`,
      ),
    );
    expect(result.stdout).to.include('npm run db:history-archive -- --purge');
    expect(await exists('history_entries_archived')).to.equal(true);
    await migrateAll();
    expect(await allEntries(db.current.sequelize)).to.deep.equal(entries);
  });

  it('when run with --purge, drops the archived history with its partitions, and re-applying starts an empty history', async () => {
    await campaignWithHistory('purged');
    await rollBackHistory();
    const [{ n: partitions }] = (await db.current.sequelize.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'history_entries_p%'`,
      { type: QueryTypes.SELECT },
    )) as [{ n: number }];
    expect(partitions).to.be.above(0);

    const result = await archive(db.current.url, '--purge');

    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/Purged the archived history \(\d+ entries\)/);
    expect(await exists('history_entries_archived')).to.equal(false);
    const [left] = await db.current.sequelize.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'history_entries%'`,
      { type: QueryTypes.SELECT },
    );
    expect(left!.n).to.equal(0);
    await migrateAll();
    expect(await allEntries(db.current.sequelize)).to.deep.equal([]);
  });

  it('when there is no archived history, says so and exits 0, with or without --purge', async () => {
    for (const args of [[], ['--purge']]) {
      const result = await archive(db.current.url, ...args);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.include('There is no archived history');
    }
    expect(await exists('history_entries')).to.equal(true);
  });
});
