import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { createSeeder } from '../../app/db/migrator';
import { sequelizeCli } from '../support/run-command';
import { useTestDatabase } from '../support/test-database';

describe('Seeders', () => {
  const db = useTestDatabase('latest');

  async function count(table: string, where = 'true'): Promise<number> {
    const [row] = await db.current.sequelize.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`,
      { type: QueryTypes.SELECT },
    );
    return row!.n;
  }

  it('when the app seeds the demo campaign, sequelize-cli db:seed:all sees it as done and adds nothing', async () => {
    await createSeeder(db.current.sequelize).up();
    expect(await count('campaigns')).to.equal(1);
    expect(await count('characters')).to.equal(2);

    const cli = await sequelizeCli(db.current.url, 'db:seed:all');
    expect(cli.code, cli.stderr).to.equal(0);
    expect(await count('campaigns')).to.equal(1);
    expect(await count('users', "username <> 'system'")).to.equal(3);
  });

  it('when sequelize-cli undoes the seeders, the demo rows are gone and other rows stay', async () => {
    await db.current.sequelize.query(
      "INSERT INTO users (username, password_hash, created_at, updated_at) VALUES ('someone', 'x', now(), now())",
    );
    const seeded = await sequelizeCli(db.current.url, 'db:seed:all');
    expect(seeded.code, seeded.stderr).to.equal(0);
    expect(await count('users', "username <> 'system'")).to.equal(4);

    const undone = await sequelizeCli(db.current.url, 'db:seed:undo:all');
    expect(undone.code, undone.stderr).to.equal(0);
    expect(await count('users', "username <> 'system'")).to.equal(1);
    expect(await count('campaigns')).to.equal(0);
    expect(await count('items')).to.equal(0);
    expect(await count('users', "username = 'system'")).to.equal(1);
  });

  for (const runner of ['the app', 'sequelize-cli'] as const) {
    it(`when ${runner} seeds the demo campaign, its characters, items and locations are stamped with the system user`, async () => {
      if (runner === 'the app') {
        await createSeeder(db.current.sequelize).up();
      } else {
        const cli = await sequelizeCli(db.current.url, 'db:seed:all');
        expect(cli.code, cli.stderr).to.equal(0);
      }
      const system = "(SELECT id FROM users WHERE username = 'system')";
      for (const table of ['characters', 'items', 'locations']) {
        expect(await count(table), table).to.equal(2);
        expect(
          await count(table, `created_by = ${system} AND modified_by = ${system}`),
          table,
        ).to.equal(2);
      }
    });
  }
});
