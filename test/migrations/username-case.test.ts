import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { listMigrationFiles, MIGRATIONS_DIR } from '../../app/db/migration-files';
import { migrateUp, migrationStatus } from '../../app/db/migration-runner';
import { testApp } from '../support/api-client';
import { appCommand } from '../support/run-command';
import { useTestDatabase } from '../support/test-database';

const MIGRATION = '20261129300200-index-users-username-case-insensitively.ts';
const ALL = listMigrationFiles(MIGRATIONS_DIR);
const BEFORE = ALL[ALL.indexOf(MIGRATION) - 1]!;
const password = 'correct horse battery';

describe('Usernames: one namespace whatever the case', () => {
  describe('the migration on a database that already holds names differing only in case', () => {
    const db = useTestDatabase('empty');

    async function users() {
      return db.current.sequelize.query<{ id: number; username: string }>(
        'SELECT id, username FROM users ORDER BY id',
        { type: QueryTypes.SELECT },
      );
    }

    it('when "Alice" and "alice" exist, stops naming both and the rename command, changes nothing; after db:rename-user it completes', async () => {
      await migrateUp(db.current.sequelize, db.current.url, { to: BEFORE });
      await db.current.sequelize.query(
        `INSERT INTO users (username, email, password_hash, created_at, updated_at)
         VALUES ('alice', 'a@x.test', 'h', now(), now()), ('Alice', 'b@x.test', 'h', now(), now())`,
      );
      const before = await users();
      const failure = await migrateUp(db.current.sequelize, db.current.url).then(
        () => undefined,
        (error: Error) => error,
      );
      expect(failure, 'the migration stopped').to.be.instanceOf(Error);
      expect(failure!.message)
        .to.include(MIGRATION)
        .and.to.include('"alice" (id')
        .and.to.include('"Alice" (id')
        .and.to.include('npm run db:rename-user -- --from');
      expect(await users()).to.deep.equal(before);
      expect((await migrationStatus(db.current.sequelize)).executed).to.not.include(MIGRATION);

      const renamed = await appCommand(
        'app/cli/rename-user.ts',
        db.current.url,
        '--from',
        'Alice',
        '--to',
        'Alice_2',
      );
      expect(renamed.code, renamed.stderr).to.equal(0);
      await migrateUp(db.current.sequelize, db.current.url);
      expect((await users()).map((u) => u.username)).to.deep.equal(['system', 'alice', 'Alice_2']);
      const [index] = await db.current.sequelize.query<{ valid: boolean }>(
        `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE c.relname = 'users_username_lower_key'`,
        { type: QueryTypes.SELECT },
      );
      expect(index).to.deep.equal({ valid: true });
    });

    it('when db:rename-user is asked for a name taken in another case, or to rename the system user, exits 1 and changes nothing', async () => {
      await migrateUp(db.current.sequelize, db.current.url, { to: BEFORE });
      await db.current.sequelize.query(
        `INSERT INTO users (username, email, password_hash, created_at, updated_at)
         VALUES ('bob', 'b@x.test', 'h', now(), now()), ('carol', 'c@x.test', 'h', now(), now())`,
      );
      const before = await users();
      const taken = await appCommand(
        'app/cli/rename-user.ts',
        db.current.url,
        '--from',
        'carol',
        '--to',
        'BOB',
      );
      expect(taken.code).to.equal(1);
      expect(taken.stderr).to.include('taken');
      const system = await appCommand(
        'app/cli/rename-user.ts',
        db.current.url,
        '--from',
        'system',
        '--to',
        'sys2',
      );
      expect(system.code).to.equal(1);
      expect(system.stderr).to.include('system user');
      expect(await users()).to.deep.equal(before);
    });
  });

  describe('over HTTP', () => {
    const db = useTestDatabase('latest');

    it('when "System" or "ALICE" is registered beside "system" and "alice", answers 409 and creates no account', async () => {
      const app = testApp(db.current);
      await request(app)
        .post('/api/auth/register')
        .send({ username: 'alice', email: 'a@x.test', password })
        .expect(201);
      for (const username of ['System', 'ALICE', 'ａｌｉｃｅ']) {
        const res = await request(app)
          .post('/api/auth/register')
          .send({ username, email: 'z@x.test', password })
          .expect(409);
        expect(res.body.error.code).to.equal('conflict');
      }
      const [rows] = await db.current.sequelize.query('SELECT username FROM users ORDER BY id');
      expect(rows).to.deep.equal([{ username: 'system' }, { username: 'alice' }]);
    });

    it('when a user logs in with their username in another case, gets a token for that account; failures in any case count for it', async () => {
      const app = testApp(db.current, { maxFailuresPerAccount: 2 });
      const registered = await request(app)
        .post('/api/auth/register')
        .send({ username: 'Alice', email: 'a@x.test', password })
        .expect(201);
      const login = await request(app)
        .post('/api/auth/login')
        .send({ username: 'aLiCe', password })
        .expect(200);
      expect(login.body.user.id).to.equal(registered.body.id);
      for (const username of ['ALICE', 'alice']) {
        await request(app)
          .post('/api/auth/login')
          .send({ username, password: 'guess' })
          .expect(401);
      }
      await request(app).post('/api/auth/login').send({ username: 'Alice', password }).expect(429);
    });
  });
});
