import { expect } from 'chai';
import { listMigrationFiles, MIGRATIONS_DIR } from '../../app/db/migration-files';
import { heldAdvisoryLocks, publicTables } from '../support/pooled-migration';
import { runCommand, type CommandResult } from '../support/run-command';
import { useTestDatabase } from '../support/test-database';

const ALL = listMigrationFiles(MIGRATIONS_DIR);

/** `npm run db:migrate` as a real process, with its own environment. */
function npmMigrate(env: Record<string, string | undefined>): Promise<CommandResult> {
  return runCommand('npm', ['run', '--silent', 'db:migrate'], env, 120_000);
}

function appliedBy(result: CommandResult): number {
  const match = /Applied (\d+) migration/.exec(result.stdout);
  return match ? Number(match[1]) : 0;
}

describe('Migrators racing through PgBouncer in transaction pooling', () => {
  const db = useTestDatabase('empty', 'pgbouncer');

  it('when 4 `npm run db:migrate` start at once with only a pooled DATABASE_URL, all refuse in one line naming MIGRATION_DATABASE_URL, change nothing and leave no lock held', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map(() =>
        npmMigrate({ DATABASE_URL: db.current.url, MIGRATION_DATABASE_URL: undefined }),
      ),
    );
    for (const result of results) {
      expect(result.code, result.stderr).to.equal(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines.at(-1)).to.match(/^db:migrate: .*transaction pooler.*MIGRATION_DATABASE_URL/);
      expect(result.stderr).to.not.match(/\n\s+at /, 'no stack trace');
    }
    expect(await publicTables(db.current.directUrl)).to.deep.equal([]);
    expect(await heldAdvisoryLocks(db.current.directUrl)).to.equal(0);
  });

  it('when 4 start at once with MIGRATION_DATABASE_URL direct and DATABASE_URL pooled, each migration is applied exactly once and no lock stays held', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map(() =>
        npmMigrate({ DATABASE_URL: db.current.url, MIGRATION_DATABASE_URL: db.current.directUrl }),
      ),
    );
    for (const result of results) {
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stderr).to.not.match(/error|fail|already exists/i);
    }
    expect(results.map(appliedBy).reduce((a, b) => a + b, 0)).to.equal(ALL.length);
    const [rows] = await db.current.sequelize.query(
      'SELECT name FROM "SequelizeMeta" ORDER BY name',
    );
    expect((rows as { name: string }[]).map((r) => r.name)).to.deep.equal(ALL);
    expect(await heldAdvisoryLocks(db.current.directUrl)).to.equal(0);
  });

  it('when sequelize-cli runs with a pooled DATABASE_URL and a direct MIGRATION_DATABASE_URL, it migrates the direct one', async () => {
    // A DATABASE_URL nobody listens on: only MIGRATION_DATABASE_URL can work.
    const result = await runCommand('node_modules/.bin/sequelize', ['db:migrate:status'], {
      DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/nothing',
      MIGRATION_DATABASE_URL: db.current.directUrl,
    });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include(`down ${ALL[0]}`);
  });
});

describe('Rolling back through PgBouncer in transaction pooling', () => {
  const db = useTestDatabase('latest', 'pgbouncer');

  it('when `npm run db:rollback` has only a pooled DATABASE_URL, it refuses naming MIGRATION_DATABASE_URL and reverts nothing; with MIGRATION_DATABASE_URL direct it reverts the last one', async () => {
    const refused = await runCommand('npm', ['run', '--silent', 'db:rollback'], {
      DATABASE_URL: db.current.url,
    });
    expect(refused.code, refused.stderr).to.equal(1);
    expect(refused.stderr.trim().split('\n').at(-1)).to.match(
      /^db:rollback: .*transaction pooler.*MIGRATION_DATABASE_URL/,
    );
    const applied = async () =>
      (
        (await db.current.sequelize.query('SELECT name FROM "SequelizeMeta" ORDER BY name'))[0] as {
          name: string;
        }[]
      ).map((r) => r.name);
    expect(await applied()).to.deep.equal(ALL);

    const reverted = await runCommand('npm', ['run', '--silent', 'db:rollback'], {
      DATABASE_URL: db.current.url,
      MIGRATION_DATABASE_URL: db.current.directUrl,
    });
    expect(reverted.code, reverted.stderr).to.equal(0);
    expect(await applied()).to.deep.equal(ALL.slice(0, -1));
    expect(await heldAdvisoryLocks(db.current.directUrl)).to.equal(0);
  });
});
