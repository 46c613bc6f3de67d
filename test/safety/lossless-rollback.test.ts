import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import { AUDITED_TABLES } from '../../app/audit/audit-spec';
import { addedColumns } from '../../app/registry';
import { countWhereSql, ruleViolation } from '../../app/audit/rule-sql';
import { migrateDown } from '../../app/db/migration-runner';
import { appCommand } from '../support/run-command';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { FIRST_AUDIT, count, createPreAuditDatabase, migrateAll } from './audit-database';

type AuditRow = { id: number; created_by: number | null; modified_by: number | null };

async function auditValues(sequelize: Sequelize, table: string): Promise<AuditRow[]> {
  return sequelize.query<AuditRow>(`SELECT id, created_by, modified_by FROM ${table} ORDER BY id`, {
    type: QueryTypes.SELECT,
  });
}

async function newUser(sequelize: Sequelize, username: string): Promise<number> {
  const [rows] = await sequelize.query(
    `INSERT INTO users (username, password_hash, created_at, updated_at)
     VALUES ('${username}', 'x', now(), now()) RETURNING id`,
  );
  return (rows as { id: number }[])[0]!.id;
}

async function archiveExists(sequelize: Sequelize): Promise<boolean> {
  return (
    (await count(
      sequelize,
      `SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'audit_archive'`,
    )) === 1
  );
}

describe('Audit integrity: rolling back loses no audit value', () => {
  // Filled and migrated once; each test works on a clone.
  let source: TestDatabase;
  let db: TestDatabase;

  before(async () => {
    ({ db: source } = await createPreAuditDatabase(1000));
    await migrateAll(source);
    await source.sequelize.close();
  });
  after(async () => {
    await source.drop();
  });
  beforeEach(async () => {
    db = await createTestDatabase({ database: source.name });
  });
  afterEach(async () => {
    await db.drop();
  });

  it('when rolled back only to the items backfill and migrated up again, every audit value of items is as before, app edits included', async () => {
    const { sequelize } = db;
    const editor = await newUser(sequelize, 'partial_editor');
    // The app changes the modifier of some items whose creator the backfill filled.
    await sequelize.query(
      `UPDATE items SET modified_by = :editor
        WHERE id IN (SELECT row_id FROM audit_backfill_log
                      WHERE table_name = 'items' ORDER BY row_id LIMIT 5)`,
      { replacements: { editor } },
    );
    const before = await auditValues(sequelize, 'items');
    expect(before.filter((r) => r.modified_by === editor)).to.have.length(5);

    await migrateDown(sequelize, db.url, {
      to: '20261124100500-backfill-audit-fields-of-items.ts',
    });
    await migrateAll(db);

    expect(await auditValues(sequelize, 'items')).to.deep.equal(before);
  });

  it('when the app recorded audit values after the migration, they survive two rounds of down and up', async () => {
    const { sequelize } = db;
    const editor = await newUser(sequelize, 'editor');
    const creator = await newUser(sequelize, 'creator');
    const recorded = new Map<string, AuditRow[]>();
    for (const spec of AUDITED_TABLES) {
      await sequelize.query(`UPDATE ${spec.table} SET modified_by = ${editor} WHERE id % 3 = 0`);
      if (addedColumns(spec).some((c) => c.name === 'created_by')) {
        await sequelize.query(`UPDATE ${spec.table} SET created_by = ${creator} WHERE id % 7 = 0`);
      }
      recorded.set(spec.table, await auditValues(sequelize, spec.table));
    }

    for (let round = 1; round <= 2; round++) {
      await migrateDown(sequelize, db.url, { to: FIRST_AUDIT });
      expect(await archiveExists(sequelize), `round ${round}: archive kept`).to.equal(true);
      await migrateAll(db);
      expect(await archiveExists(sequelize), `round ${round}: archive consumed`).to.equal(false);
      for (const [table, values] of recorded) {
        expect(await auditValues(sequelize, table), `round ${round}: ${table}`).to.deep.equal(
          values,
        );
      }
    }
  });

  it('when an archived value names a user deleted while rolled back, the re-apply uses the rule instead and the keys validate', async () => {
    const { sequelize } = db;
    const leaver = await newUser(sequelize, 'leaver');
    for (const { table } of AUDITED_TABLES) {
      await sequelize.query(`UPDATE ${table} SET modified_by = ${leaver} WHERE id <= 10`);
    }
    await migrateDown(sequelize, db.url, { to: FIRST_AUDIT });
    await sequelize.query(`DELETE FROM users WHERE id = ${leaver}`);

    await migrateAll(db);

    for (const spec of AUDITED_TABLES) {
      expect(await count(sequelize, countWhereSql(spec, ruleViolation(spec))), spec.table).to.equal(
        0,
      );
    }
    expect(
      await count(
        sequelize,
        `SELECT count(*) AS n FROM pg_constraint WHERE conname LIKE '%modified_by_fkey' AND NOT convalidated`,
      ),
    ).to.equal(0);
  });

  it('when the operator purges the archive, db:audit-archive reports it, removes the schema, and a re-apply falls back to the rules', async () => {
    const { sequelize } = db;
    const editor = await newUser(sequelize, 'editor');
    await sequelize.query(`UPDATE items SET modified_by = ${editor} WHERE id <= 10`);
    await migrateDown(sequelize, db.url, { to: FIRST_AUDIT });

    const shown = await appCommand('app/cli/audit-archive.ts', db.url);
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.match(/items\.modified_by: \d+ value\(s\)/);
    expect(await archiveExists(sequelize), 'showing changes nothing').to.equal(true);

    const purged = await appCommand('app/cli/audit-archive.ts', db.url, '--purge');
    expect(purged.code, purged.stderr).to.equal(0);
    expect(purged.stdout).to.match(/Purged \d+ archived audit value/);
    expect(await archiveExists(sequelize)).to.equal(false);

    await migrateAll(db);
    expect(
      await count(sequelize, `SELECT count(*) AS n FROM items WHERE modified_by = ${editor}`),
    ).to.equal(0);
  });

  it('when db:audit-archive gets --help, it explains the archive and --purge and exits 0', async () => {
    const help = await appCommand('app/cli/audit-archive.ts', db.url, '--help');
    expect(help.code).to.equal(0);
    expect(help.stdout).to.include('--purge');
  });

  it('when the app changed a created_by that the backfill had filled, the down keeps the app value and reverts only the untouched fills', async () => {
    const { sequelize } = db;
    const [filled] = await sequelize.query(
      `SELECT row_id AS id FROM audit_backfill_log WHERE table_name = 'items' ORDER BY row_id LIMIT 2`,
    );
    const [changed, untouched] = (filled as { id: number }[]).map((r) => r.id);
    const author = await newUser(sequelize, 'real-author');
    await sequelize.query(`UPDATE items SET created_by = ${author} WHERE id = ${changed}`);

    await migrateDown(sequelize, db.url, { to: FIRST_AUDIT });

    const [rows] = await sequelize.query(
      `SELECT id, created_by FROM items WHERE id IN (${changed}, ${untouched}) ORDER BY id`,
    );
    const byId = new Map(
      (rows as { id: number; created_by: number | null }[]).map((r) => [r.id, r.created_by]),
    );
    expect(byId.get(changed!)).to.equal(author);
    expect(byId.get(untouched!)).to.equal(null);
  });

  it('when a campaign changed owner after the backfill, down and up give its filled items the creator they had, not the new owner', async () => {
    const { sequelize } = db;
    const [rows] = await sequelize.query(
      `SELECT i.campaign_id AS campaign FROM audit_backfill_log l JOIN items i ON i.id = l.row_id
        WHERE l.table_name = 'items' ORDER BY l.row_id LIMIT 1`,
    );
    const campaign = (rows as { campaign: number }[])[0]!.campaign;
    const before = await auditValues(sequelize, 'items');
    const newOwner = await newUser(sequelize, 'new-owner');
    await sequelize.query(`UPDATE campaigns SET owner_id = ${newOwner} WHERE id = ${campaign}`);

    await migrateDown(sequelize, db.url, { to: FIRST_AUDIT });
    await migrateAll(db);

    expect(await auditValues(sequelize, 'items')).to.deep.equal(before);
  });
});
