import { expect } from 'chai';
import request from 'supertest';
import { createApp } from '../../app/app';
import { listMigrationFiles, MIGRATIONS_DIR } from '../../app/db/migration-files';
import { createLogger } from '../../app/logger';
import { useTestDatabase } from '../support/test-database';

describe('GET /health', () => {
  const db = useTestDatabase('latest');

  it('when the database is migrated, answers ok with no pending migrations', async () => {
    const app = createApp({ sequelize: db.current.sequelize, logger: createLogger('silent') });
    const res = await request(app).get('/health').expect(200);
    expect(res.body).to.deep.equal({ status: 'ok', database: 'ok', pendingMigrations: 0 });
  });

  it('when the database is empty, counts every migration as pending', async () => {
    await db.current.sequelize.query('DELETE FROM "SequelizeMeta"');
    const app = createApp({ sequelize: db.current.sequelize, logger: createLogger('silent') });
    const res = await request(app).get('/health').expect(200);
    expect(res.body.pendingMigrations).to.equal(listMigrationFiles(MIGRATIONS_DIR).length);
  });

  it('when the database is unreachable, answers 503', async () => {
    const app = createApp({ sequelize: db.current.sequelize, logger: createLogger('silent') });
    await db.current.sequelize.close();
    const res = await request(app).get('/health').expect(503);
    expect(res.body.status).to.equal('error');
  });

  it('when the route is unknown, answers 404 with the JSON error shape', async () => {
    const app = createApp({ sequelize: db.current.sequelize, logger: createLogger('silent') });
    const res = await request(app).get('/nowhere').expect(404);
    expect(res.body.error.code).to.equal('not_found');
  });
});
