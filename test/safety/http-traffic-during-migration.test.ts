import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { generateToken, hashToken } from '../../app/auth/tokens';
import { migrateUp, migrationStatus } from '../../app/db/migration-runner';
import { AUDITED_TABLES, auditMigrationOf } from '../../app/audit/audit-spec';
import { createPreAuditDatabase } from './audit-database';
import { jsonClient, testApp } from '../support/api-client';
import { startMigrator } from '../support/run-command';
import type { TestDatabase } from '../support/test-database';

const ROWS = 20_000;
const WRITERS = 6;
/** The app needs every audit column; the rest of the migrations run while it serves. */
const LAST_COLUMN_MIGRATION = AUDITED_TABLES.map((spec) => auditMigrationOf(spec.table, 'columns'))
  .sort()
  .at(-1)!;

interface Written {
  table: 'items' | 'characters';
  id: number;
  createdBy: number;
  modifiedBy: number;
}

describe('Concurrency: the app serves real HTTP traffic while the audit migration runs', () => {
  let db: TestDatabase | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await db?.drop();
  });

  it('when clients create and edit content during the backfill, foreign keys and index builds, every request succeeds and every row written keeps its writers', async function () {
    this.timeout(180_000);
    ({ db } = await createPreAuditDatabase(ROWS));
    await migrateUp(db.sequelize, db.url, { to: LAST_COLUMN_MIGRATION });

    server = testApp(db).listen(0, '127.0.0.1');
    await new Promise((resolve) => server!.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const failures: string[] = [];
    const send = jsonClient(base);
    const call = async (method: string, path: string, token?: string, body?: object) => {
      const res = await send(method, path, body, token);
      if (res.status >= 300) {
        failures.push(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      }
      return res.body as Record<string, unknown>;
    };

    // Accounts, tokens and memberships are written directly: registration,
    // login and invitations use tables of migrations that come after the
    // audit ones (rate_limits, campaign_invitations), which this database does
    // not have yet. Creating and editing content, the point here, goes
    // through the API.
    const users: Array<{ id: number; token: string }> = [];
    for (let i = 0; i < WRITERS; i++) {
      const [[row]] = (await db.sequelize.query(
        `INSERT INTO users (username, email, password_hash, created_at, updated_at)
         VALUES ($1, $2, 'not-a-hash', now(), now()) RETURNING id`,
        { bind: [`traffic${i}`, `traffic${i}@example.test`] },
      )) as [Array<{ id: number }>, unknown];
      const token = generateToken();
      await db.sequelize.query(
        `INSERT INTO auth_tokens (user_id, token_hash, expires_at, created_at, updated_at)
         VALUES ($1, $2, now() + interval '1 hour', now(), now())`,
        { bind: [row!.id, hashToken(token)] },
      );
      users.push({ id: row!.id, token });
    }
    const campaign = await call('POST', '/api/campaigns', users[0]!.token, { name: 'Busy' });
    for (const user of users.slice(1)) {
      await db.sequelize.query(
        `INSERT INTO campaign_memberships (campaign_id, user_id, role, created_at, updated_at)
         VALUES ($1, $2, 'GM', now(), now())`,
        { bind: [campaign.id, user.id] },
      );
    }
    expect(failures, 'setup').to.deep.equal([]);

    // The rest of the audit migration, in its own process, slowed down so
    // that plenty of requests land in the middle of it.
    const migrator = startMigrator(db.url, {
      GMA_BACKFILL_FIRST_BATCH: '500',
      GMA_BACKFILL_BATCH_MS: '5',
      GMA_BACKFILL_PAUSE_MS: '5',
    });
    let running = true;
    void migrator.exited.then(() => (running = false));

    const written: Written[] = [];
    let duringMigration = 0;
    await Promise.all(
      users.map(async (user, i) => {
        for (let n = 0; running; n++) {
          const item = await call('POST', '/api/items', user.token, {
            campaignId: campaign.id,
            name: `item ${i}-${n}`,
          });
          const character = await call('POST', '/api/characters', user.token, {
            campaignId: campaign.id,
            name: `hero ${i}-${n}`,
          });
          written.push(
            { table: 'items', id: item.id as number, createdBy: user.id, modifiedBy: user.id },
            {
              table: 'characters',
              id: character.id as number,
              createdBy: user.id,
              modifiedBy: user.id,
            },
          );
          // Edit a row another writer created, so creator and modifier differ.
          const other = written.filter((w) => w.table === 'items' && w.createdBy !== user.id).pop();
          if (other) {
            await call('PATCH', `/api/items/${other.id}`, user.token, { description: `edit ${n}` });
            other.modifiedBy = user.id;
          }
          if (running) duringMigration += 1;
        }
      }),
    );
    const code = await migrator.exited;

    expect(code, migrator.stderr()).to.equal(0);
    expect(failures).to.deep.equal([]);
    expect(duringMigration, 'requests made while the migration ran').to.be.above(WRITERS * 3);
    expect((await migrationStatus(db.sequelize)).pending).to.deep.equal([]);

    for (const table of ['items', 'characters'] as const) {
      const mine = written.filter((w) => w.table === table);
      const stored = await db.sequelize.query<{
        id: number;
        created_by: number;
        modified_by: number;
      }>(`SELECT id, created_by, modified_by FROM ${table} WHERE id IN (:ids) ORDER BY id`, {
        type: QueryTypes.SELECT,
        replacements: { ids: mine.map((w) => w.id) },
      });
      expect(stored, table).to.deep.equal(
        mine
          .map((w) => ({ id: w.id, created_by: w.createdBy, modified_by: w.modifiedBy }))
          .sort((a, b) => a.id - b.id),
      );
    }
  });
});
