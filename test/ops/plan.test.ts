import { expect } from 'chai';
import { firstAuditMigration, auditMigrationOf } from '../../app/audit/audit-spec';
import { listMigrationFiles, MIGRATIONS_DIR } from '../../app/db/migration-files';
import { migrateDown, migrateUp, migrationStatus } from '../../app/db/migration-runner';
import { buildPlan, formatPlan } from '../../app/ops/plan/build-plan';
import { fillPreAuditData } from '../../app/dev/pre-audit-data';
import { fingerprint } from '../support/fingerprint';
import { recordStatements } from '../../app/ops/plan/sql-recorder';
import { appCommand } from '../support/run-command';
import { useTestDatabase } from '../support/test-database';

const ALL = listMigrationFiles(MIGRATIONS_DIR);
const CHARACTER_COLUMNS = auditMigrationOf('characters', 'columns');
const FIRST_AUDIT = firstAuditMigration();
const LAST_PRE_AUDIT = ALL[ALL.indexOf(FIRST_AUDIT) - 1]!;

/** The statements that change the schema (what the plan promises to show exactly), one line each. */
const schemaStatements = (sqls: string[]) =>
  sqls
    .map((sql) => sql.replace(/\s+/g, ' ').trim())
    .filter((sql) => /^(CREATE|ALTER|DROP|COMMENT)\b/i.test(sql));

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

  it('when the rollback to the first audit migration is planned on a database whose history, invitations and rate limits hold rows, the plan shows the renames aside, and its schema statements are exactly those the rollback then sends', async () => {
    const { sequelize, url } = db.current;
    await preAuditDatabase(30);
    await migrateUp(sequelize, url);
    await sequelize.query(
      `INSERT INTO rate_limits (key, points, expire) VALUES ('login:probe', 2, NULL);
       INSERT INTO campaign_invitations (campaign_id, user_id, role, expires_at, created_at, updated_at)
       SELECT c.id, u.id, 'PLAYER', now() + interval '1 day', now(), now()
         FROM campaigns c, users u WHERE u.username <> 'system' ORDER BY 1, 2 LIMIT 1;
       UPDATE characters SET name = name || ' (renamed)' WHERE id = (SELECT min(id) FROM characters);`,
    );

    const plan = await buildPlan(url, { direction: 'down', to: FIRST_AUDIT });
    const planned = schemaStatements(plan.steps.flatMap((s) => s.statements.map((t) => t.sql)));
    expect(planned).to.include.members([
      'ALTER TABLE "history_entries" RENAME TO "history_entries_archived"',
      'ALTER TABLE "campaign_invitations" RENAME TO "campaign_invitations_archived"',
      'ALTER TABLE "rate_limits" RENAME TO "rate_limits_archived"',
    ]);
    expect(planned.join('\n')).to.not.match(
      /DROP TABLE "?(history_entries|rate_limits|campaign_invitations)"?\b/,
    );
    const invitations = plan.steps.find((s) =>
      s.migration.endsWith('create-campaign-invitations.ts'),
    )!;
    expect(invitations.notes).to.include(
      'campaign_invitations: 1 row(s) kept aside as campaign_invitations_archived; db:migrate brings them back',
    );

    const sent: string[] = [];
    await recordStatements(
      new URL(url).pathname.slice(1),
      ({ sql }) => sent.push(sql),
      () => migrateDown(sequelize, url, { to: FIRST_AUDIT }),
    );
    expect(planned).to.deep.equal(schemaStatements(sent));
  });

  it('when a rollback would drop rows nothing brings back, the plan shows that down REFUSED and the steps after it not reached, and the rollback refuses there, naming the table and the row count', async () => {
    const { sequelize, url } = db.current;
    await preAuditDatabase(20);
    const [counted] = await sequelize.query('SELECT count(*)::int AS n FROM locations');
    const locations = (counted as Array<{ n: number }>)[0]!.n;
    const toUsers = ALL[0]!;

    const plan = await buildPlan(url, { direction: 'down', to: toUsers });
    const refused = plan.steps.find((s) => s.refused);
    expect(refused?.migration).to.equal('20260101000600-create-locations.ts');
    expect(refused?.refused).to.include(`table locations: ${locations} row(s) would be lost`);
    expect(plan.steps.slice(plan.steps.indexOf(refused!) + 1).every((s) => s.notReached)).to.equal(
      true,
    );
    expect(formatPlan(plan)).to.include('The run would stop at 20260101000600-create-locations.ts');

    const rollback = await appCommand('app/cli/rollback.ts', url, '--to', toUsers);
    expect(rollback.code).to.equal(1);
    expect(rollback.stderr).to.include(`table locations: ${locations} row(s) would be lost`);
    expect(rollback.stderr).to.include('--discard-data');
    expect((await migrationStatus(sequelize)).executed.at(-1)).to.equal(
      '20260101000600-create-locations.ts',
    );
    const [still] = await sequelize.query('SELECT count(*)::int AS n FROM locations');
    expect((still as Array<{ n: number }>)[0]!.n).to.equal(locations);

    const discarded = await buildPlan(url, { direction: 'down', to: toUsers, discardData: true });
    expect(discarded.steps.some((s) => s.refused)).to.equal(false);
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
