import path from 'node:path';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { addedColumns } from '../../app/registry';
import { auditMigrationOf, auditMigrationsOf } from '../../app/audit/audit-spec';
import { widgets as spec } from '../fixtures/widgets/widgets-table';
import { countWhereSql, ruleCreator, ruleViolation } from '../../app/audit/rule-sql';
import { migrateDown, migrateUp } from '../../app/db/migration-runner';
import { ensureMigrationHistory } from '../../app/db/migrator';
import { fingerprint } from '../support/fingerprint';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { count } from './audit-database';

const HISTORY = { tableName: 'ScratchMeta' };

/**
 * docs/audit.md's steps for auditing another table, followed for a
 * throw-away table: its one declaration (typed) and one-line migration
 * files that build each step from it, nothing else changed.
 */
const WIDGETS_MIGRATIONS = path.resolve(__dirname, '..', 'fixtures', 'widgets', 'migrations');

describe('Auditing another table: one declaration and its migration files', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase('latest');
    // A table that already holds data: some rows name a maker, some nobody.
    await db.sequelize.query(`
      CREATE TABLE widgets (
        id serial PRIMARY KEY,
        name text NOT NULL,
        campaign_id integer,
        maker_id integer REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO users (username, password_hash, created_at, updated_at)
      SELECT 'maker' || g, 'x', now(), now() FROM generate_series(1, 5) g;
      INSERT INTO widgets (name, maker_id)
      SELECT 'widget ' || g,
             CASE WHEN g % 4 = 0 THEN NULL
                  ELSE (SELECT id FROM users WHERE username = 'maker' || (1 + g % 5)) END
        FROM generate_series(1, 3000) g;`);
  });
  afterEach(async () => {
    await db.drop();
  });

  it('when its migrations run, every rule, key, index and comment holds; down restores the table exactly and up again restores what the app recorded', async () => {
    const dir = WIDGETS_MIGRATIONS;
    await ensureMigrationHistory(db.sequelize, HISTORY);
    const before = await fingerprint(db.sequelize);

    const applied = await migrateUp(db.sequelize, db.url, { dir, ...HISTORY });
    // Every step of the recipe, each declared by its file's meta, in order.
    const steps = auditMigrationsOf(spec.table, dir);
    expect(Object.keys(steps).sort()).to.deep.equal([
      'backfill',
      'capture',
      'clearing',
      'columns',
      'indexes',
      'keys',
      'triggers',
    ]);
    expect(applied).to.deep.equal(Object.values(steps).sort());

    // The rule, and NULL exactly where it names nobody.
    expect(await count(db.sequelize, countWhereSql(spec, ruleViolation(spec)))).to.equal(0);
    const nobody = await count(db.sequelize, countWhereSql(spec, `${ruleCreator(spec)} IS NULL`));
    expect(nobody).to.equal(750);
    expect(await count(db.sequelize, countWhereSql(spec, 't.created_by IS NULL'))).to.equal(nobody);
    // Keys validated and ON DELETE SET NULL; indexes valid; comments in place.
    const keys = await db.sequelize.query<{ conname: string; ok: boolean }>(
      `SELECT conname, convalidated AND confdeltype = 'n' AS ok FROM pg_constraint
        WHERE conrelid = 'widgets'::regclass AND contype = 'f' AND conname IN (:names)`,
      { type: QueryTypes.SELECT, replacements: { names: spec.foreignKeys.map((k) => k.name) } },
    );
    expect(keys.filter((k) => k.ok)).to.have.length(spec.foreignKeys.length);
    const valid = `SELECT count(*) AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                    WHERE c.relname IN (${spec.indexes.map((i) => `'${i.name}'`).join(', ')}) AND i.indisvalid`;
    expect(await count(db.sequelize, valid)).to.equal(spec.indexes.length);
    for (const { name, comment } of addedColumns(spec)) {
      const [row] = await db.sequelize.query<{ comment: string }>(
        `SELECT col_description('widgets'::regclass, attnum) AS comment FROM pg_attribute
          WHERE attrelid = 'widgets'::regclass AND attname = :name`,
        { type: QueryTypes.SELECT, replacements: { name } },
      );
      expect(row?.comment).to.equal(comment);
    }

    // Captured: a write lands in the history under the table's name (rolled back, no trace).
    const probe = await db.sequelize.transaction();
    let captured: number;
    try {
      await db.sequelize.query(`INSERT INTO widgets (name, campaign_id) VALUES ('probe', 1)`, {
        transaction: probe,
      });
      const [row] = await db.sequelize.query<{ n: string }>(
        `SELECT count(*) AS n FROM history_entries WHERE table_name = 'widgets'`,
        { type: QueryTypes.SELECT, transaction: probe },
      );
      captured = Number(row?.n);
    } finally {
      await probe.rollback();
    }
    expect(captured, 'an insert is captured in the history').to.equal(1);
    // The app records a modifier the rule would not give: real data.
    await db.sequelize.query(
      `UPDATE widgets SET modified_by = (SELECT id FROM users WHERE username = 'maker1') WHERE id % 3 = 0`,
    );
    const recorded = await fingerprint(db.sequelize);

    const log: string[] = [];
    const toLog = (line: string) => log.push(line);
    await migrateDown(db.sequelize, db.url, {
      dir,
      ...HISTORY,
      to: auditMigrationOf(spec.table, 'capture', dir),
      log: toLog,
    });
    expect(await fingerprint(db.sequelize), 'down restores the table exactly').to.deep.equal(
      before,
    );
    expect(
      await count(
        db.sequelize,
        `SELECT count(*) AS n FROM audit_archive.field_values WHERE table_name = 'widgets'`,
      ),
      'the recorded modifiers wait in the archive',
    ).to.be.above(0);

    await migrateUp(db.sequelize, db.url, { dir, ...HISTORY, log: toLog });
    expect(await fingerprint(db.sequelize), 'up again restores them').to.deep.equal(recorded);
    // The steps report through the runner's log (the server's, under MIGRATE_ON_START).
    // The backfill's down archives the modifiers the app wrote on rows it
    // filled; the columns' down those of the rows it did not fill.
    expect(log).to.include(
      "widgets: the backfill's recorded changes undone: 2250 row(s) restored; 600 row(s) changed since the backfill: their newer values are kept in the audit archive for the re-apply; 600 value(s) put in the audit archive for the re-apply",
    );
    expect(log).to.include('widgets.modified_by: 250 value(s) kept in the audit archive');
    expect(log).to.include(
      'widgets: 850 archived audit value(s) restored (or no longer needed: row deleted)',
    );
  });
});
