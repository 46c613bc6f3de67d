import { expect } from 'chai';
import pg from 'pg';
import { migrateUp } from '../../app/db/migration-runner';
import type { TestDatabase } from '../support/test-database';
import { AUDIT_MIGRATIONS, count, createPreAuditDatabase } from './audit-database';

const ADD_CHARACTER_FIELDS = AUDIT_MIGRATIONS.find((n) =>
  n.includes('add-audit-fields-to-characters'),
)!;
const INDEX_CHARACTERS = AUDIT_MIGRATIONS.find((n) =>
  n.includes('index-audit-fields-of-characters'),
)!;

describe('Concurrency: online DDL', () => {
  let db: TestDatabase;
  const clients: pg.Client[] = [];

  async function connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    clients.push(client);
    return client;
  }

  beforeEach(async () => {
    ({ db } = await createPreAuditDatabase(500));
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.end();
    await db.drop();
  });

  it('when a long transaction holds characters, adding the columns waits without holding up a writer behind it', async () => {
    const longReader = await connect();
    const writer = await connect();
    await longReader.query('BEGIN');
    await longReader.query('SELECT count(*) FROM characters');
    const migration = migrateUp(db.sequelize, db.url, { to: ADD_CHARACTER_FIELDS });

    // While the ALTER retries, inserts keep going: each waits at most one lock_timeout.
    let worst = 0;
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      const started = Date.now();
      await writer.query(
        `INSERT INTO characters (name, campaign_id, player_owner_id, created_at, updated_at)
         SELECT 'written while blocked ' || clock_timestamp(), campaign_id, player_owner_id, now(), now()
           FROM characters LIMIT 1`,
      );
      worst = Math.max(worst, Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await longReader.query('COMMIT');
    await migration;

    expect(worst, `worst insert ${worst} ms`).to.be.below(500);
    expect(
      await count(
        db.sequelize,
        `SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'characters' AND column_name = 'modified_by'`,
      ),
    ).to.equal(1);
  });

  it('when a failed concurrent build left an INVALID index under the same name, the index migration replaces it with a valid one', async () => {
    await migrateUp(db.sequelize, db.url, { to: AUDIT_MIGRATIONS.at(-4)! });
    const client = await connect();
    // A unique build over duplicates fails and leaves its INVALID index behind.
    const failed = await client
      .query(
        'CREATE UNIQUE INDEX CONCURRENTLY characters_created_at_idx ON characters (game_system)',
      )
      .then(
        () => false,
        () => true,
      );
    expect(failed).to.equal(true);
    const invalid = `SELECT count(*) AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                      WHERE c.relname = 'characters_created_at_idx' AND NOT i.indisvalid`;
    expect(await count(db.sequelize, invalid)).to.equal(1);

    await migrateUp(db.sequelize, db.url, { to: INDEX_CHARACTERS });

    expect(await count(db.sequelize, invalid)).to.equal(0);
    const [rows] = await db.sequelize.query(
      `SELECT pg_get_indexdef('characters_created_at_idx'::regclass) AS def`,
    );
    expect((rows as { def: string }[])[0]!.def)
      .to.include('(created_at)')
      .and.not.include('UNIQUE');
  });
});
