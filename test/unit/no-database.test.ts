import path from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { Sequelize } from 'sequelize';
import { EmbeddedPostgres } from '../../app/db/embedded-postgres';
import { DatabaseInUnitTestError, takeDatabaseAttempts } from '../support/no-database';
import { PROJECT_ROOT } from '../support/run-command';

const UNREACHABLE = 'postgres://nobody:x@127.0.0.1:1/none';

describe('Unit tests run with no database', () => {
  afterEach(() => {
    // What these tests provoke on purpose; the guard's root hook would fail them.
    takeDatabaseAttempts();
  });

  it('when the unit config is read, it starts no server: no global setup, and the guard is loaded', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const config = require(path.join(PROJECT_ROOT, 'test', 'unit', 'mocharc.cjs')) as {
      require: string[];
    };
    expect(config.require).to.include('test/support/no-database.ts');
    expect(config.require.filter((file) => /global-setup/.test(file))).to.deep.equal([]);
  });

  it('when a unit test opens a pg connection, it is refused and recorded for the root hook', async () => {
    const client = new pg.Client({ connectionString: UNREACHABLE });
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DatabaseInUnitTestError);
    expect((error as Error).message).to.include('127.0.0.1:1/none');
    expect(takeDatabaseAttempts()).to.have.length(1);
  });

  it('when a unit test authenticates through Sequelize, it is refused before any socket opens', async () => {
    const sequelize = new Sequelize(UNREACHABLE, { logging: false });
    try {
      const error = await sequelize.authenticate().catch((e: unknown) => e);
      expect(String((error as Error).message)).to.include('in a unit test');
      expect(takeDatabaseAttempts()).to.have.length.above(0);
    } finally {
      await sequelize.close();
    }
  });

  it('when a unit test starts the embedded PostgreSQL, it is refused and nothing starts', async () => {
    const error = await EmbeddedPostgres.start({ dataDir: '/nonexistent', database: 'x' }).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(DatabaseInUnitTestError);
    expect(takeDatabaseAttempts()).to.have.length(1);
  });
});
