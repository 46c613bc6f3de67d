import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { partitionName } from '../../app/history/partition-sql';
import { startAppServer, type AppServerProcess } from '../../app/dev/app-server';
import { useTestDatabase } from '../support/test-database';

const monthsFromNow = (months: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + months, 1));
};

describe('History partitions at server start', () => {
  const db = useTestDatabase('latest');
  let server: AppServerProcess | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  const partitionExists = async (name: string) => {
    const [row] = await db.current.sequelize.query<{ found: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS found',
      { bind: [name], type: QueryTypes.SELECT },
    );
    return row!.found;
  };

  it('when partitions ahead are missing, the server makes them as it starts', async () => {
    const missing = [partitionName(monthsFromNow(2)), partitionName(monthsFromNow(3))];
    for (const name of missing) await db.current.sequelize.query(`DROP TABLE ${name}`);

    server = await startAppServer({ DATABASE_URL: db.current.url, MIGRATE_ON_START: 'false' });
    await server.ready();

    for (const name of missing) expect(await partitionExists(name), name).to.equal(true);
    expect(server.stdout()).to.include('history partitions made ahead');
  });

  it('when the partitions cannot be made, the server logs a warning and serves anyway', async () => {
    await db.current.sequelize.query(
      'DROP FUNCTION gma_history_ensure_partitions(timestamptz, timestamptz)',
    );

    server = await startAppServer({ DATABASE_URL: db.current.url, MIGRATE_ON_START: 'false' });
    await server.ready();

    const warning = server
      .stdout()
      .split('\n')
      .filter((line) => line.includes('could not make the history partitions ahead'))
      .map((line) => JSON.parse(line) as { level: number });
    expect(warning.map((entry) => entry.level)).to.deep.equal([40]);
    expect((await fetch(`${server.base}/health`)).status).to.equal(200);
  });
});
