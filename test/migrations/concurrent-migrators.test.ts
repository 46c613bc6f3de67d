import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { listMigrationFiles, MIGRATIONS_DIR } from '../../app/db/migration-files';
import { appCommand } from '../support/run-command';
import { useTestDatabase } from '../support/test-database';

const ALL = listMigrationFiles(MIGRATIONS_DIR);

describe('Concurrent migrators', () => {
  const db = useTestDatabase('empty');

  it('when 4 migrator processes start at once on an empty database, each migration is applied exactly once and all exit 0 without errors', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => appCommand('app/cli/migrate.ts', db.current.url)),
    );

    for (const result of results) {
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stderr).to.not.match(/error|fail|already exists/i);
    }
    // Each process reports how many it applied itself: together, each once.
    const appliedPerProcess = results.map((r) => {
      const match = /Applied (\d+) migration/.exec(r.stdout);
      return match ? Number(match[1]) : 0;
    });
    expect(appliedPerProcess.reduce((a, b) => a + b, 0)).to.equal(ALL.length);
    expect(appliedPerProcess.filter((n) => n > 0)).to.have.length.greaterThanOrEqual(1);

    const rows = await db.current.sequelize.query<{ name: string }>(
      'SELECT name FROM "SequelizeMeta" ORDER BY name',
      { type: QueryTypes.SELECT },
    );
    expect(rows.map((r) => r.name)).to.deep.equal(ALL);
  });
});
