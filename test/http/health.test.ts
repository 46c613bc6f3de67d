import { expect } from 'chai';
import request from 'supertest';
import { createApp } from '../../app/app';
import { listMigrationFiles, MIGRATIONS_DIR } from '../../app/db/migration-files';
import { withDataDiscarded } from '../../app/db/migration-lib/kept-rows';
import { migrateDown, migrateUp } from '../../app/db/migration-runner';
import { createLogger } from '../../app/logger';
import { Readiness } from '../../app/health/readiness';
import { signUp } from '../support/api-client';
import { useTestDatabase } from '../support/test-database';

describe('Health', () => {
  const db = useTestDatabase('latest');
  const app = () => createApp({ sequelize: db.current.sequelize, logger: createLogger('silent') });

  it('when the database is migrated, live and ready answer 200, and /health answers as ready', async () => {
    const server = app();
    expect((await request(server).get('/health/live').expect(200)).body).to.deep.equal({
      status: 'ok',
    });
    const ok = { status: 'ok', database: 'ok', pendingMigrations: 0 };
    expect((await request(server).get('/health/ready').expect(200)).body).to.deep.equal(ok);
    expect((await request(server).get('/health').expect(200)).body).to.deep.equal(ok);
  });

  it('when no migration is applied, ready and /health answer 503 naming the pending migrations, and live still 200', async () => {
    await db.current.sequelize.query('DELETE FROM "SequelizeMeta"');
    const server = app();
    for (const path of ['/health/ready', '/health']) {
      const res = await request(server).get(path).expect(503);
      expect(res.body).to.include({
        status: 'error',
        database: 'ok',
        reason: 'migrations_pending',
        pendingMigrations: listMigrationFiles(MIGRATIONS_DIR).length,
      });
      expect(res.body.message).to.match(/npm run db:migrate/);
    }
    await request(server).get('/health/live').expect(200);
  });

  it('when only the newest migration of this version is missing, ready answers 503', async () => {
    const newest = listMigrationFiles(MIGRATIONS_DIR).at(-1)!;
    await db.current.sequelize.query('DELETE FROM "SequelizeMeta" WHERE name = $1', {
      bind: [newest],
    });
    const res = await request(app()).get('/health/ready').expect(503);
    expect(res.body).to.include({ reason: 'migrations_pending', pendingMigrations: 1 });
    expect(res.body.message).to.include(newest);
  });

  it('when a newer version applied a migration this version does not know, ready still answers 200', async () => {
    await db.current.sequelize.query(
      `INSERT INTO "SequelizeMeta" (name) VALUES ('29991231000000-from-a-newer-version.ts')`,
    );
    const res = await request(app()).get('/health/ready').expect(200);
    expect(res.body.pendingMigrations).to.equal(0);
  });

  it('when the database is unreachable, ready answers 503 database_unreachable and live 200', async () => {
    const server = app();
    await db.current.sequelize.close();
    const res = await request(server).get('/health/ready').expect(503);
    expect(res.body).to.include({
      status: 'error',
      database: 'unreachable',
      reason: 'database_unreachable',
    });
    expect(res.body.pendingMigrations).to.equal(null);
    await request(server).get('/health/live').expect(200);
  });

  it('when every migration is undone under a running server, API routes answer 503 schema_not_ready (not 500) until the schema is back and readiness passes', async function () {
    this.timeout(120_000);
    // A long re-check interval, so that only /health/ready can open the gate here.
    const readiness = new Readiness(db.current.sequelize, 600_000);
    const server = createApp({
      sequelize: db.current.sequelize,
      logger: createLogger('silent'),
      readiness,
    });
    const alice = await signUp(server, 'alice');
    const first = listMigrationFiles(MIGRATIONS_DIR)[0]!;
    // Alice's login token would be lost with its table: said so on purpose.
    await withDataDiscarded(() => migrateDown(db.current.sequelize, db.current.url, { to: first }));

    const login = await request(server)
      .post('/api/auth/login')
      .send({ username: 'alice', password: 'correct horse battery' });
    expect(login.status, JSON.stringify(login.body)).to.equal(503);
    expect(login.body.error.code).to.equal('schema_not_ready');
    const me = await request(server).get('/api/me').set('Authorization', alice.auth);
    expect(me.status, JSON.stringify(me.body)).to.equal(503);
    expect(me.body.error.code).to.equal('schema_not_ready');
    await request(server).get('/health/ready').expect(503);

    // The gate stays closed until a readiness check passes, even once the
    // schema is back: requests meanwhile get 503, not a half-migrated answer.
    await migrateUp(db.current.sequelize, db.current.url);
    const early = await request(server)
      .post('/api/auth/register')
      .send({ username: 'bob', email: 'bob@example.test', password: 'correct horse battery' });
    expect(early.status).to.equal(503);
    const [bobs] = await db.current.sequelize.query(`SELECT id FROM users WHERE username = 'bob'`);
    expect(bobs).to.have.length(0);

    await request(server).get('/health/ready').expect(200);
    await signUp(server, 'bob');
  });

  it('when a table the API uses is missing though no migration is pending, its routes answer 503 schema_not_ready, and serve again by themselves once it is back', async () => {
    // Re-check on every gated request: recovery must not wait for /health/ready here.
    const readiness = new Readiness(db.current.sequelize, 0);
    const server = createApp({
      sequelize: db.current.sequelize,
      logger: createLogger('silent'),
      readiness,
    });
    const alice = await signUp(server, 'alice');
    await db.current.sequelize.query('ALTER TABLE campaigns RENAME TO campaigns_elsewhere');
    const missing = await request(server).get('/api/campaigns').set('Authorization', alice.auth);
    expect(missing.status, JSON.stringify(missing.body)).to.equal(503);
    expect(missing.body.error.code).to.equal('schema_not_ready');
    expect(JSON.stringify(missing.body)).to.not.include('campaigns_elsewhere');

    await db.current.sequelize.query('ALTER TABLE campaigns_elsewhere RENAME TO campaigns');
    const back = await request(server).get('/api/campaigns').set('Authorization', alice.auth);
    expect(back.status, JSON.stringify(back.body)).to.equal(200);
  });
});
