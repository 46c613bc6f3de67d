import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { isAuditMigration } from '../../app/audit/audit-spec';
import { migrationStatus } from '../../app/db/migration-runner';
import { fingerprint } from '../support/fingerprint';
import { runCommand } from '../support/run-command';
import type { TestDatabase } from '../support/test-database';
import {
  FROM_FIRST_AUDIT,
  FIRST_AUDIT,
  LAST_PRE_AUDIT,
  createPreAuditDatabase,
  migrateAll,
} from './audit-database';

const SCRIPT = 'scripts/rollback-audit-migrations.sh';

describe('Rollback: scripts/rollback-audit-migrations.sh', () => {
  let db: TestDatabase;
  let preAudit: Awaited<ReturnType<typeof fingerprint>>;

  beforeEach(async () => {
    ({ db } = await createPreAuditDatabase(500));
    preAudit = await fingerprint(db.sequelize);
    await migrateAll(db);
  });
  afterEach(async () => {
    await db.drop();
  });

  const script = (args: string[], env: Record<string, string> = {}) =>
    runCommand('bash', [SCRIPT, ...args], { DATABASE_URL: db.url, ...env }, 120_000);

  it('when run with --yes, lists the audit migrations newest first, reverts them and the database equals the pre-audit state', async () => {
    const result = await script(['--yes']);

    // The migrations that are reverted only because they came later, with what they hold.
    expect(result.stdout).to.include('are not audit migrations');
    expect(result.stdout).to.include(
      '20261129300000-create-rate-limits.ts: table rate_limits: 0 row(s); dropped (empty)',
    );
    expect(result.stdout).to.include(
      '20261129300200-index-users-username-case-insensitively.ts: an index on users (no rows)',
    );

    expect(result.code, result.stderr).to.equal(0);
    const listed = result.stdout
      .split('\n')
      .map((line) => /^\s+\d+\. (\S+)$/.exec(line)?.[1])
      .filter(Boolean);
    expect(listed).to.deep.equal([...FROM_FIRST_AUDIT].reverse());
    expect(result.stdout).to.include('Verified: pre-audit state');
    expect(result.stdout).to.include('npm run db:migrate');
    expect(result.stderr).to.include('Database: postgres://');
    expect((await migrationStatus(db.sequelize)).executed.at(-1)).to.equal(LAST_PRE_AUDIT);
    const now = await fingerprint(db.sequelize);
    expect(now.schema).to.deep.equal(preAudit.schema);
    expect(now.data).to.deep.equal(preAudit.data);
  });

  it('when a pending invitation and a rate-limit row are present, warns before, keeps both aside, says so after, and a re-apply brings both back', async () => {
    await db.sequelize.query(
      `INSERT INTO rate_limits (key, points, expire) VALUES ('login:probe', 3, 1893456000000);
       INSERT INTO campaign_invitations (campaign_id, user_id, invited_by, role, expires_at, created_at, updated_at)
       SELECT c.id, u.id, NULL, 'PLAYER', '2030-01-01T00:00:00Z', now(), now()
         FROM campaigns c, users u WHERE u.username <> 'system' ORDER BY c.id, u.id LIMIT 1`,
    );
    const rows = `SELECT (SELECT json_agg(r ORDER BY key) FROM rate_limits r) AS limits,
                         (SELECT json_agg(i ORDER BY id) FROM campaign_invitations i) AS invitations`;
    const [before] = await db.sequelize.query(rows, { type: QueryTypes.SELECT });

    const result = await script(['--yes']);

    expect(result.code, result.stderr).to.equal(0);
    const out = result.stdout;
    expect(out).to.include(
      '20261129300000-create-rate-limits.ts: table rate_limits: 1 row(s); kept aside as rate_limits_archived; db:migrate brings them back',
    );
    expect(out).to.include(
      '20261129300100-create-campaign-invitations.ts: table campaign_invitations: 1 row(s); kept aside as campaign_invitations_archived',
    );
    // Warned before reverting anything, said after what was kept.
    // Every migration applied since the first audit one that is not one of it (invitations, indexes...).
    const others = FROM_FIRST_AUDIT.filter((name) => !isAuditMigration(name)).length;
    const warning = out.indexOf(
      `WARNING: this also reverts ${others} migration(s) that are not part of the audit`,
    );
    expect(warning).to.be.above(-1);
    expect(warning).to.be.below(out.indexOf('== Reverting'));
    // The history recorded the invitation's insert (invitations are captured), so it is kept aside too.
    expect(out.slice(out.indexOf('== Verifying'))).to.include(
      'Kept aside until the migrations are applied again: campaign_invitations_archived (1 row(s)), history_entries_archived (1 row(s)), rate_limits_archived (1 row(s)).',
    );

    await migrateAll(db);
    const [after] = await db.sequelize.query(rows, { type: QueryTypes.SELECT });
    expect(after).to.deep.equal(before);
    expect((before as { invitations: unknown[] }).invitations).to.have.length(1);
  });

  it('when run without --yes and without a terminal, exits non-zero and changes nothing', async () => {
    const before = await fingerprint(db.sequelize);

    const result = await script([]);

    expect(result.code).to.not.equal(0);
    expect(result.stderr).to.include('--yes');
    expect(result.stdout).to.include(FIRST_AUDIT);
    expect(await fingerprint(db.sequelize)).to.deep.equal(before);
  });

  it('when NODE_ENV=production and --allow-production is missing, refuses even with --yes and changes nothing', async () => {
    const before = await fingerprint(db.sequelize);

    const result = await script(['--yes'], { NODE_ENV: 'production' });

    expect(result.code).to.not.equal(0);
    expect(result.stderr).to.include('--allow-production');
    expect(await fingerprint(db.sequelize)).to.deep.equal(before);
  });

  it('when given --help, prints the usage with the manual equivalents and exits 0', async () => {
    const result = await script(['--help']);

    expect(result.code).to.equal(0);
    expect(result.stdout).to.include('--yes');
    expect(result.stdout).to.include('db:migrate:undo:all --to');
  });
});
