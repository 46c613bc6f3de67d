import { expect } from 'chai';
import { listMigrationFiles, MIGRATIONS_DIR } from '../../app/db/migration-files';
import { jsonClient } from '../support/api-client';
import { startAppServer, type AppServerProcess } from '../../app/dev/app-server';
import { heldAdvisoryLocks, publicTables } from '../support/pooled-migration';
import { useTestDatabase } from '../support/test-database';

const ALL = listMigrationFiles(MIGRATIONS_DIR);
const INSTANCES = 3;

/** The `applied` count each server logged after migrating on start. */
function appliedOnStart(server: AppServerProcess): number {
  const line = server
    .stdout()
    .split('\n')
    .find((l) => l.includes('migrations up to date'));
  return line ? (JSON.parse(line) as { applied: number }).applied : 0;
}

describe('Several app instances behind PgBouncer in transaction pooling', () => {
  const servers: AppServerProcess[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  describe('serving', () => {
    const db = useTestDatabase('latest', 'pgbouncer');

    it(`when ${INSTANCES} server processes take concurrent writes from several users, every row is attributed to its writer`, async () => {
      for (let i = 0; i < INSTANCES; i++) {
        servers.push(
          await startAppServer({
            DATABASE_URL: db.current.url,
            MIGRATE_ON_START: 'false',
            // Twelve accounts from one address: above the default registration limit.
            REGISTER_MAX_PER_ADDRESS: '100',
          }),
        );
      }
      await Promise.all(servers.map((server) => server.ready()));
      const calls = servers.map((server) => jsonClient(server.base));
      const via = (n: number) => calls[n % INSTANCES]!;

      const USERS = 12;
      const ITEMS = 5;
      const users = await Promise.all(
        Array.from({ length: USERS }, async (_, i) => {
          const username = `writer${i}`;
          const password = 'correct horse battery';
          const email = `${username}@example.test`;
          const reg = await via(i)('POST', '/api/auth/register', { username, email, password });
          expect(reg.status).to.equal(201);
          const login = await via(i + 1)('POST', '/api/auth/login', { username, password });
          expect(login.status).to.equal(200);
          return { id: reg.body.id as number, username, token: login.body.token as string };
        }),
      );
      const owner = users[0]!;
      const campaign = await via(0)('POST', '/api/campaigns', { name: 'Pooled' }, owner.token);
      const campaignId = campaign.body.id as number;
      for (const [i, user] of users.slice(1).entries()) {
        const invited = await via(i)(
          'POST',
          `/api/campaigns/${campaignId}/invitations`,
          { username: user.username, role: 'GM' },
          owner.token,
        );
        expect(invited.status).to.equal(201);
        const accepted = await via(i + 1)(
          'POST',
          `/api/invitations/${invited.body.id}/accept`,
          undefined,
          user.token,
        );
        expect(accepted.status).to.equal(200);
      }

      // Every user creates items at once, each request to another instance.
      const created = await Promise.all(
        users.flatMap((user, u) =>
          Array.from({ length: ITEMS }, (_, k) =>
            via(u + k)('POST', '/api/items', { campaignId, name: `${u}/${k}` }, user.token),
          ),
        ),
      );
      expect(created.map((r) => r.status)).to.deep.equal(created.map(() => 201));
      // Then each user edits the next user's items, all at once.
      const idOf = new Map(created.map((r) => [r.body.name as string, r.body.id as number]));
      const updated = await Promise.all(
        users.flatMap((user, u) =>
          Array.from({ length: ITEMS }, (_, k) =>
            via(u + k + 1)(
              'PATCH',
              `/api/items/${idOf.get(`${(u + 1) % USERS}/${k}`)}`,
              { description: `by ${u}` },
              user.token,
            ),
          ),
        ),
      );
      expect(updated.map((r) => r.status)).to.deep.equal(updated.map(() => 200));

      const [rows] = await db.current.sequelize.query(
        'SELECT name, description, created_by, modified_by FROM items ORDER BY id',
      );
      expect(rows).to.have.length(USERS * ITEMS);
      for (const row of rows as Array<Record<string, unknown>>) {
        const [u, k] = String(row.name).split('/').map(Number);
        const editor = (u! - 1 + USERS) % USERS;
        expect(row, `item ${u}/${k}`).to.deep.equal({
          name: `${u}/${k}`,
          description: `by ${editor}`,
          created_by: users[u!]!.id,
          modified_by: users[editor]!.id,
        });
      }
    });
  });

  describe('starting at once with MIGRATE_ON_START on an empty database', () => {
    const db = useTestDatabase('empty', 'pgbouncer');

    it(`when MIGRATION_DATABASE_URL is direct, all ${INSTANCES} come up and each migration is applied exactly once`, async () => {
      for (let i = 0; i < INSTANCES; i++) {
        servers.push(
          await startAppServer({
            DATABASE_URL: db.current.url,
            MIGRATION_DATABASE_URL: db.current.directUrl,
            MIGRATE_ON_START: 'true',
          }),
        );
      }
      await Promise.all(servers.map((server) => server.ready()));
      expect(servers.map(appliedOnStart).reduce((a, b) => a + b, 0)).to.equal(ALL.length);
      const [rows] = await db.current.sequelize.query(
        'SELECT name FROM "SequelizeMeta" ORDER BY name',
      );
      expect((rows as { name: string }[]).map((r) => r.name)).to.deep.equal(ALL);
      expect(await heldAdvisoryLocks(db.current.directUrl)).to.equal(0);
    });

    it(`when only the pooled DATABASE_URL is set, all ${INSTANCES} refuse to migrate in one line naming MIGRATION_DATABASE_URL, exit 1 and change nothing`, async () => {
      for (let i = 0; i < INSTANCES; i++) {
        servers.push(
          await startAppServer({
            DATABASE_URL: db.current.url,
            MIGRATION_DATABASE_URL: undefined,
            MIGRATE_ON_START: 'true',
            LOG_LEVEL: 'silent',
          }),
        );
      }
      const codes = await Promise.all(servers.map((server) => server.exited));
      expect(codes).to.deep.equal(servers.map(() => 1));
      for (const server of servers) {
        expect(server.stderr().trim().split('\n'), server.stderr()).to.have.length(1);
        expect(server.stderr()).to.match(/^gma: .*transaction pooler.*MIGRATION_DATABASE_URL/);
      }
      expect(await publicTables(db.current.directUrl)).to.deep.equal([]);
      expect(await heldAdvisoryLocks(db.current.directUrl)).to.equal(0);
    });
  });
});
