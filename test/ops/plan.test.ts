import { expect } from 'chai';
import { firstAuditMigration, auditMigrationOf } from '../../app/audit/audit-spec';
import { listMigrationFiles, MIGRATIONS_DIR } from '../../app/db/migration-files';
import { migrateDown, migrateUp, migrationStatus } from '../../app/db/migration-runner';
import { buildPlan, formatPlan } from '../../app/ops/plan/build-plan';
import { fillPreAuditData } from '../../app/dev/pre-audit-data';
import { fingerprint } from '../support/fingerprint';
import { appCommand } from '../support/run-command';
import { useTestDatabase } from '../support/test-database';

const ALL = listMigrationFiles(MIGRATIONS_DIR);
const CHARACTER_COLUMNS = auditMigrationOf('characters', 'columns');
const FIRST_AUDIT = firstAuditMigration();
const LAST_PRE_AUDIT = ALL[ALL.indexOf(FIRST_AUDIT) - 1]!;

describe('db:plan', () => {
  const db = useTestDatabase('empty');

  async function preAuditDatabase(rows: number) {
    const { sequelize, url } = db.current;
    await migrateUp(sequelize, url, { to: LAST_PRE_AUDIT });
    return fillPreAuditData(sequelize, { rows });
  }

  it('when audit migrations are pending, lists each with its SQL and the rows its backfill would fill, and changes nothing', async () => {
    await preAuditDatabase(500);
    const before = await fingerprint(db.current.sequelize);

    const plan = await buildPlan(db.current.url, { direction: 'up' });
    const auditCount = ALL.length - ALL.indexOf(FIRST_AUDIT);
    expect(formatPlan(plan)).to.match(new RegExp(`^Plan: apply ${auditCount} migration\\(s\\)`));

    expect(plan.steps.map((s) => s.migration)).to.deep.equal(ALL.slice(ALL.indexOf(FIRST_AUDIT)));
    const addColumns = plan.steps.find((s) => s.migration === CHARACTER_COLUMNS)!;
    expect(addColumns.statements.map((s) => s.sql).join('\n')).to.match(
      /ALTER TABLE "characters" ADD COLUMN IF NOT EXISTS "created_by" integer/,
    );
    const backfill = plan.steps.find(
      (s) => s.migration === auditMigrationOf('characters', 'backfill'),
    )!;
    expect(backfill.notes.join('\n')).to.include(
      'fills the audit fields of 500 row(s) of characters',
    );
    const indexes = plan.steps.find((s) => s.migration === auditMigrationOf('items', 'indexes'))!;
    expect(indexes.statements.map((s) => s.sql).join('\n')).to.include(
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS "items_created_at_idx"',
    );
    expect(indexes.notes).to.deep.equal([
      'index build scans ~500 row(s) of items; writes continue (4x)',
    ]);
    expect(await fingerprint(db.current.sequelize)).to.deep.equal(before);
  });

  it('when a rollback to the first audit migration is planned, lists every audit migration newest first with the values its drops archive', async () => {
    await preAuditDatabase(200);
    await migrateUp(db.current.sequelize, db.current.url);
    const before = await fingerprint(db.current.sequelize);

    const plan = await buildPlan(db.current.url, { direction: 'down', to: FIRST_AUDIT });

    expect(plan.steps.map((s) => s.migration)).to.deep.equal(
      ALL.slice(ALL.indexOf(FIRST_AUDIT)).reverse(),
    );
    const dropColumns = plan.steps.find((s) => s.migration === CHARACTER_COLUMNS)!;
    expect(dropColumns.statements.map((s) => s.sql).join('\n')).to.match(
      /ALTER TABLE "characters" DROP COLUMN IF EXISTS "created_by"/,
    );
    expect(dropColumns.notes).to.include(
      'characters.created_by: 200 non-NULL value(s) dropped; the 0 the backfill would not derive again are archived first',
    );
    expect(await fingerprint(db.current.sequelize)).to.deep.equal(before);
    expect((await migrationStatus(db.current.sequelize)).pending).to.deep.equal([]);
  });

  it('when audit values were archived by a rollback, the plan of the re-apply says how many its backfill restores', async () => {
    await preAuditDatabase(50);
    await migrateUp(db.current.sequelize, db.current.url);
    // Recorded since the migration, so not derivable: the rollback archives them.
    await db.current.sequelize.query(
      `UPDATE characters SET modified_by = (SELECT min(id) FROM users) WHERE id <= 10 AND modified_by <> (SELECT min(id) FROM users)`,
    );
    const [rows] = await db.current.sequelize.query(
      `SELECT count(*)::int AS n FROM characters WHERE modified_by <> player_owner_id`,
    );
    const recorded = (rows as Array<{ n: number }>)[0]!.n;
    expect(recorded).to.be.greaterThan(0);
    await migrateDown(db.current.sequelize, db.current.url, { to: FIRST_AUDIT });

    const plan = await buildPlan(db.current.url, { direction: 'up' });

    const backfill = plan.steps.find(
      (s) => s.migration === auditMigrationOf('characters', 'backfill'),
    )!;
    expect(backfill.notes).to.include(
      `restores ${recorded} audit value(s) of characters kept by an earlier rollback`,
    );
  });

  it('when run as a command with nothing pending, says so and exits 0; with an unknown --to, exits 1 naming it', async () => {
    await migrateUp(db.current.sequelize, db.current.url);
    const none = await appCommand('app/cli/plan.ts', db.current.url);
    expect(none.code, none.stderr).to.equal(0);
    expect(none.stdout.trim()).to.equal('Nothing to apply.');

    const unknown = await appCommand(
      'app/cli/plan.ts',
      db.current.url,
      '--rollback',
      '--to',
      'nope',
    );
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.include('nope');
  });

  it('when run as a command with --rollback --step 1, prints the newest migration with its SQL', async () => {
    await migrateUp(db.current.sequelize, db.current.url);
    const result = await appCommand('app/cli/plan.ts', db.current.url, '--rollback', '--step', '1');
    expect(result.code, result.stderr).to.equal(0);
    const [, step] = result.stdout.split(`== ${ALL.at(-1)} (down)\n`);
    expect(step, 'the newest migration is planned').to.not.equal(undefined);
    // Its SQL follows the heading (after any notes), not "(no schema statements)".
    expect(step!.split('\n').filter((line) => /^ {3}[A-Z]/.test(line))).to.not.deep.equal([]);
  });
});
