import { expect } from 'chai';
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
    await db.sequelize.query(
      `INSERT INTO rate_limits (key, points, expire) VALUES ('login:probe', 1, NULL)`,
    );
    const result = await script(['--yes']);

    // The migrations that are reverted only because they came later, with what they hold.
    expect(result.stdout).to.include('are not audit migrations');
    expect(result.stdout).to.include(
      '20261129300000-create-rate-limits.ts: table rate_limits: 1 row(s)',
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
