import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { addedColumns, type AuditedTableSpec } from '../../app/audit/audited-table';
import { countWhereSql, ruleCreator, ruleViolation } from '../../app/audit/rule-sql';
import { migrateDown, migrateUp } from '../../app/db/migration-runner';
import { ensureMigrationHistory } from '../../app/db/migrator';
import { fingerprint } from '../support/fingerprint';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { count } from './audit-database';

const APP = path.resolve(__dirname, '..', '..', 'app');
const HISTORY = { tableName: 'ScratchMeta' };

/**
 * The README's steps for auditing another table, followed for a throw-away
 * table: one specification entry (a module of its own), four migration
 * files that build the steps from it, and nothing else changed.
 */
function writeAuditOfWidgets(root: string): { dir: string; spec: AuditedTableSpec } {
  const specFile = path.join(root, 'spec', 'widgets.ts');
  fs.mkdirSync(path.dirname(specFile), { recursive: true });
  fs.writeFileSync(
    specFile,
    `import { auditForeignKeys, singleColumnIndexes, type AuditedTableSpec } from '${APP}/audit/audited-table';
export const widgets: AuditedTableSpec = {
  table: 'widgets',
  columns: {
    created_by: { comment: 'User who created the widget (users.id); NULL if unknown.' },
    modified_by: { comment: 'User who last modified the widget (users.id); NULL if unknown.' },
  },
  rule: {
    source: 't.maker_id',
    inputs: [{ column: 'maker_id', target: 'users' }],
    summary: 'created_by = modified_by = maker_id',
  },
  foreignKeys: auditForeignKeys('widgets', ['created_by', 'modified_by']),
  indexes: singleColumnIndexes('widgets', ['created_at', 'updated_at', 'created_by', 'modified_by']),
  migrations: {
    columns: '29990101000000-add-audit-fields-to-widgets.ts',
    backfill: '29990101000100-backfill-audit-fields-of-widgets.ts',
    keys: '29990101000200-add-audit-foreign-keys-to-widgets.ts',
    indexes: '29990101000300-index-audit-fields-of-widgets.ts',
  },
};
`,
  );
  const dir = path.join(root, 'migrations');
  fs.mkdirSync(dir);
  const steps = {
    columns: 'auditColumnsMigration',
    backfill: 'auditBackfillMigration',
    keys: 'auditForeignKeysMigration',
    indexes: 'auditIndexesMigration',
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { widgets } = require(specFile) as { widgets: AuditedTableSpec };
  for (const [step, factory] of Object.entries(steps)) {
    fs.writeFileSync(
      path.join(dir, widgets.migrations[step as keyof typeof steps]),
      `import { ${factory} } from '${APP}/audit/migration-steps';
import { widgets } from '../spec/widgets';
export const { meta, up, down } = ${factory}(widgets);
`,
    );
  }
  return { dir, spec: widgets };
}

describe('Auditing another table: one specification entry and its migration files', () => {
  let db: TestDatabase;
  let root: string;

  beforeEach(async () => {
    db = await createTestDatabase('latest');
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-audit-widgets-'));
    // A table that already holds data: some rows name a maker, some nobody.
    await db.sequelize.query(`
      CREATE TABLE widgets (
        id serial PRIMARY KEY,
        name text NOT NULL,
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
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('when its migrations run, every rule, key, index and comment holds; down restores the table exactly and up again restores what the app recorded', async () => {
    const { dir, spec } = writeAuditOfWidgets(root);
    await ensureMigrationHistory(db.sequelize, HISTORY);
    const before = await fingerprint(db.sequelize);

    const applied = await migrateUp(db.sequelize, db.url, { dir, ...HISTORY });
    expect(applied).to.deep.equal(Object.values(spec.migrations));

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
      to: spec.migrations.columns,
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
    expect(log).to.include('widgets.modified_by: 850 value(s) kept in the audit archive');
    expect(log).to.include(
      'widgets: 850 archived audit value(s) restored (or no longer needed: row deleted)',
    );
  });
});
