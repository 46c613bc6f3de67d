import { expect } from 'chai';
import { AUDITED_TABLES, auditMigrationOf } from '../../app/audit/audit-spec';
import { migrateDown, migrateUp, migrationStatus } from '../../app/db/migration-runner';
import { fingerprint } from '../support/fingerprint';
import { sequelizeCli } from '../support/run-command';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import {
  FIRST_AUDIT,
  FROM_FIRST_AUDIT,
  LAST_PRE_AUDIT,
  createPreAuditDatabase,
  migrateAll,
  migrationBefore,
} from './audit-database';

describe('Rollback: round trips on a filled pre-audit database', () => {
  // Filled once; each test works on a clone.
  let source: TestDatabase;
  let db: TestDatabase;

  before(async () => {
    ({ db: source } = await createPreAuditDatabase(3000));
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

  it('when migrated up then fully down, the schema and every pre-existing value equal the start', async () => {
    const start = await fingerprint(db.sequelize);

    expect(await migrateAll(db)).to.deep.equal(FROM_FIRST_AUDIT);
    const up = await fingerprint(db.sequelize);
    expect(up.schema, 'the up changed the schema').to.not.deep.equal(start.schema);
    expect(up.data.items, 'the up changed items').to.not.equal(start.data.items);

    await migrateDown(db.sequelize, db.url, { to: FIRST_AUDIT });
    expect((await migrationStatus(db.sequelize)).executed.at(-1)).to.equal(LAST_PRE_AUDIT);
    const end = await fingerprint(db.sequelize);
    expect(end.schema).to.deep.equal(start.schema);
    expect(end.data).to.deep.equal(start.data);
  });

  it('when migrated up, down and up again, the data equals that of one up', async () => {
    await migrateAll(db);
    const once = await fingerprint(db.sequelize);

    await migrateDown(db.sequelize, db.url, { to: FIRST_AUDIT });
    await migrateAll(db);
    const twice = await fingerprint(db.sequelize);

    expect(twice.data).to.deep.equal(once.data);
    expect(twice.schema).to.deep.equal(once.schema);
  });

  it('when sequelize-cli rolls back with undo:all --to the first audit migration, the schema and data equal the start', async () => {
    const start = await fingerprint(db.sequelize);
    await migrateAll(db);

    const result = await sequelizeCli(db.url, 'db:migrate:undo:all', '--to', FIRST_AUDIT);

    expect(result.code, result.stderr).to.equal(0);
    expect((await migrationStatus(db.sequelize)).executed.at(-1)).to.equal(LAST_PRE_AUDIT);
    expect(await fingerprint(db.sequelize)).to.deep.equal(start);
  });

  for (const spec of AUDITED_TABLES) {
    it(`when rolled back to ${auditMigrationOf(spec.table, 'columns')} (inclusive), ${spec.table} and its schema equal their state before it, and up again restores what the app recorded`, async () => {
      const [[editor]] = (await db.sequelize.query(
        `INSERT INTO users (username, password_hash, created_at, updated_at)
         VALUES ('round_trip_editor', 'x', now(), now()) RETURNING id`,
      )) as [{ id: number }[], unknown];
      await migrateUp(db.sequelize, db.url, {
        to: migrationBefore(auditMigrationOf(spec.table, 'columns')),
      });
      const before = await fingerprint(db.sequelize);

      await migrateAll(db);
      // Recorded since the migration, not derivable by the rule: the rollback must keep it.
      await db.sequelize.query(
        `UPDATE ${spec.table} SET modified_by = ${editor!.id} WHERE id % 4 = 0`,
      );
      const recorded = await fingerprint(db.sequelize);

      await migrateDown(db.sequelize, db.url, { to: auditMigrationOf(spec.table, 'columns') });
      // The table's own rows and schema; other tables' audit migrations that
      // precede this one in the history stay applied, with their data.
      const after = await fingerprint(db.sequelize);
      const own = (lines: string[]) =>
        lines.filter(
          (line) =>
            line.startsWith(`${spec.table} | `) || line.includes(` ON public.${spec.table} `),
        );
      expect(after.data[spec.table]).to.equal(before.data[spec.table]);
      expect(own(after.schema.columns)).to.deep.equal(own(before.schema.columns));
      expect(own(after.schema.constraints)).to.deep.equal(own(before.schema.constraints));
      expect(own(after.schema.indexes)).to.deep.equal(own(before.schema.indexes));
      expect(own(after.schema.comments)).to.deep.equal(own(before.schema.comments));

      await migrateAll(db);
      expect(await fingerprint(db.sequelize)).to.deep.equal(recorded);
    });
  }
});
