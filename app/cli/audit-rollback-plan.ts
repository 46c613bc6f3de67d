import { runMain } from './run-main';
import { archiveSummary } from '../db/migration-helpers/audit-archive';
import { withMigrationClient } from '../db/migration-helpers/migration-client';
import { migrationStatus } from '../db/migration-runner';
import { parseCommandLine, withDatabase } from './command-line';

const HELP = `
Usage: node --import tsx app/cli/audit-rollback-plan.ts [--verify]

Used by scripts/rollback-audit-migrations.sh. Prints the current migration
state and exactly which audit migrations a rollback to the pre-audit state
reverts (newest first: indexes, foreign keys, backfills, then columns),
and a last line "TARGET=<first audit migration>" (empty: nothing to do).

Options:
  --verify    check instead that the database is at the pre-audit state:
              no audit migration applied, no audit column or table left.
              Exits 1 with what is wrong otherwise.
  -h, --help  show this help
`;

/** Columns and tables that exist only while the audit migrations are applied. */
const AUDIT_LEFTOVERS = `
  SELECT table_name || '.' || column_name AS name FROM information_schema.columns
   WHERE table_schema = 'public' AND (
         (table_name = 'characters' AND column_name IN ('created_by', 'modified_by'))
      OR (table_name IN ('items', 'locations') AND column_name = 'modified_by'))
  UNION ALL
  SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = 'audit_backfill_log'`;

runMain('audit-rollback-plan', async () => {
  const args = parseCommandLine(process.argv.slice(2), { verify: { type: 'boolean' } }, HELP);
  return withDatabase(async (db) => {
    const { executed, pending } = await migrationStatus(db.sequelize);
    const firstAudit = executed.findIndex((name) => name.includes('audit'));
    const audit = firstAudit < 0 ? [] : executed.slice(firstAudit);

    if (args.verify) {
      const [rows] = await db.sequelize.query(AUDIT_LEFTOVERS);
      const leftovers = (rows as { name: string }[]).map((r) => r.name);
      const problems = [
        ...audit.map((name) => `still applied: ${name}`),
        ...leftovers.map((name) => `still present: ${name}`),
      ];
      if (problems.length > 0) {
        console.log(`NOT at the pre-audit state:\n  ${problems.join('\n  ')}`);
        return 1;
      }
      console.log(
        `Verified: pre-audit state (${executed.length} migrations applied, newest ` +
          `${executed.at(-1) ?? 'none'}; no audit column or table left).`,
      );
      return 0;
    }

    console.log(
      `Migrations: ${executed.length} applied (newest: ${executed.at(-1) ?? 'none'}), ${pending.length} pending.`,
    );
    if (audit.length === 0) {
      console.log('No audit migration is applied: nothing to roll back.');
    } else {
      console.log(`Will revert these ${audit.length} migrations, in this order:`);
      audit.reverse().forEach((name, i) => console.log(`  ${String(i + 1).padStart(2)}. ${name}`));
    }
    const archive = await withMigrationClient(db.sequelize.getQueryInterface(), archiveSummary);
    for (const s of archive) {
      console.log(`Audit archive already holds ${s.values} value(s) of ${s.table}.${s.column}.`);
    }
    console.log(`TARGET=${audit.length ? executed[firstAudit] : ''}`);
    return 0;
  });
});
