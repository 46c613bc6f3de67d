import { expect } from 'chai';
import { listMigrationFiles, MIGRATIONS_DIR } from '../../app/db/migration-files';
import { migrateDown, migrateUp, migrationStatus } from '../../app/db/migration-runner';
import { appCommand, cliAppliedMigrations, sequelizeCli } from '../support/run-command';
import { useTestDatabase } from '../support/test-database';

const ALL = listMigrationFiles(MIGRATIONS_DIR);

describe('Two migration runners, one history', () => {
  const db = useTestDatabase('empty');

  async function expectBothReport(expected: string[]) {
    const app = await migrationStatus(db.current.sequelize);
    expect(app.executed, 'app runner').to.deep.equal(expected);
    expect(await cliAppliedMigrations(db.current.url), 'sequelize-cli').to.deep.equal(expected);
  }

  it('when sequelize-cli applies part of the history and the app runner the rest (and back), both report the same list at every step', async () => {
    const { url, sequelize } = db.current;
    const third = ALL[2]!;

    const partial = await sequelizeCli(url, 'db:migrate', '--to', third);
    expect(partial.code, partial.stderr).to.equal(0);
    await expectBothReport(ALL.slice(0, 3));

    await migrateUp(sequelize, url);
    await expectBothReport(ALL);

    const undo = await sequelizeCli(url, 'db:migrate:undo');
    expect(undo.code, undo.stderr).to.equal(0);
    await expectBothReport(ALL.slice(0, -1));

    await migrateDown(sequelize, url, { to: ALL[1]! });
    await expectBothReport(ALL.slice(0, 1));

    const rest = await sequelizeCli(url, 'db:migrate');
    expect(rest.code, rest.stderr).to.equal(0);
    await expectBothReport(ALL);
  });

  it('when undo:all --to and db:rollback --to name the same migration, they leave the same migrations applied (inclusive)', async () => {
    const { url, sequelize } = db.current;
    const target = ALL[3]!;
    await migrateUp(sequelize, url);

    const viaCli = await sequelizeCli(url, 'db:migrate:undo:all', '--to', target);
    expect(viaCli.code, viaCli.stderr).to.equal(0);
    const afterCli = (await migrationStatus(sequelize)).executed;
    expect(afterCli).to.deep.equal(ALL.slice(0, 3));

    await migrateUp(sequelize, url);
    const viaApp = await appCommand('app/cli/rollback.ts', url, '--to', target);
    expect(viaApp.code, viaApp.stderr).to.equal(0);
    expect((await migrationStatus(sequelize)).executed).to.deep.equal(afterCli);
  });

  it('when the --to name is unknown, both runners exit non-zero with a message naming it and change nothing', async () => {
    const { url, sequelize } = db.current;
    await migrateUp(sequelize, url);

    const viaApp = await appCommand('app/cli/rollback.ts', url, '--to', 'no-such-migration');
    expect(viaApp.code).to.not.equal(0);
    expect(viaApp.stderr).to.include('no-such-migration');
    expect(viaApp.stderr).to.not.match(/\n\s+at /, 'no stack trace');

    const viaCli = await sequelizeCli(url, 'db:migrate:undo:all', '--to', 'no-such-migration');
    expect(viaCli.code).to.not.equal(0);
    expect(viaCli.stdout + viaCli.stderr).to.include('no-such-migration');

    expect((await migrationStatus(sequelize)).executed).to.deep.equal(ALL);
  });
});
