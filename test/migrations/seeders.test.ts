import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { createMigrator, createSeeder } from '../../app/db/migrator';
import { DEMO_PASSWORD, DEMO_USERNAMES } from '../../seeders/20260101000100-demo-campaign';
import { testApp } from '../support/api-client';
import { fingerprint } from '../support/fingerprint';
import { PROJECT_ROOT, appCommand, runCommand, sequelizeCli } from '../support/run-command';
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

  it('when the seeders run on a Sequelize instance that has run the migrator, their record goes to SequelizeData and SequelizeMeta keeps only migrations', async () => {
    const { sequelize } = db.current;
    const migrations = await createMigrator(sequelize).executed();

    await createSeeder(sequelize).up();

    expect(await createMigrator(sequelize).executed()).to.deep.equal(migrations);
    expect(await count('"SequelizeData"')).to.equal(1);
    expect(await count('"SequelizeMeta"', "name LIKE '%demo-campaign%'")).to.equal(0);
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

  it('when the demo campaign is seeded by db:seed, every demo account logs in through the API with the development password the README names, and sees the demo campaign', async () => {
    expect(fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8')).to.include(
      `\`${DEMO_PASSWORD}\``,
    );
    const seeded = await appCommand('app/cli/seed.ts', db.current.url);
    expect(seeded.code, seeded.stderr).to.equal(0);
    const app = testApp(db.current);

    for (const username of DEMO_USERNAMES) {
      const login = await request(app)
        .post('/api/auth/login')
        .send({ username, password: DEMO_PASSWORD });
      expect(login.status, `${username}: ${JSON.stringify(login.body)}`).to.equal(200);
      const campaigns = await request(app)
        .get('/api/campaigns')
        .set('authorization', `Bearer ${login.body.token as string}`);
      expect(campaigns.status).to.equal(200);
      expect(campaigns.body.data.map((c: { name: string }) => c.name)).to.deep.equal([
        'The Sunken Crown',
      ]);
    }
    const wrong = await request(app)
      .post('/api/auth/login')
      .send({ username: DEMO_USERNAMES[0], password: `${DEMO_PASSWORD}x` });
    expect(wrong.status).to.equal(401);
  });

  it('when db:seed runs with NODE_ENV=production, it exits 1 saying why, and changes nothing', async () => {
    const before = await fingerprint(db.current.sequelize);

    const result = await runCommand(process.execPath, ['--import', 'tsx', 'app/cli/seed.ts'], {
      DATABASE_URL: db.current.url,
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
    });

    expect(result.code, result.stderr).to.equal(1);
    expect(result.stderr).to.include(
      'refusing to seed the demo accounts (demo_gm, demo_player_ana, demo_player_bo) with NODE_ENV=production',
    );
    expect(result.stderr).to.not.match(/\n\s+at /, 'no stack trace');
    expect(await fingerprint(db.current.sequelize)).to.deep.equal(before);
  });

  it('when sequelize-cli db:seed:all runs with NODE_ENV=production, it exits non-zero saying why, and writes no row (its own history table is created empty, as sequelize-cli does before any seeder)', async () => {
    const before = await fingerprint(db.current.sequelize);

    const result = await runCommand(
      path.join(PROJECT_ROOT, 'node_modules', '.bin', 'sequelize'),
      ['db:seed:all'],
      { DATABASE_URL: db.current.url, NODE_ENV: 'production', LOG_LEVEL: 'silent' },
    );

    expect(result.code).to.not.equal(0);
    expect(result.stdout + result.stderr).to.include(
      'refusing to seed the demo accounts (demo_gm, demo_player_ana, demo_player_bo) with NODE_ENV=production',
    );
    const after = await fingerprint(db.current.sequelize);
    expect(after.data.SequelizeData).to.equal('0 rows, md5 -');
    const { SequelizeData: _history, ...rest } = after.data;
    expect(rest).to.deep.equal(before.data);
  });
});
