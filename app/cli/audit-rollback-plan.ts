import { QueryTypes, type Sequelize } from 'sequelize';
import { runMain } from './run-main';
import { ident } from '../db/sql-identifier';
import { firstAuditMigration, isAuditMigration } from '../audit/audit-spec';
import { auditLeftovers } from '../audit/pre-audit-state';
import { archiveSummary } from '../db/migration-lib/audit-archive';
import { withMigrationClient } from '../db/migration-lib/migration-client';
import { migrationCatalog } from '../db/migration-files';
import { readHistory, selectMigrations } from '../db/migration-selection';
import { createMigrator } from '../db/migrator';
import { parseCommandLine, withDatabase } from './command-line';

const HELP = `
Usage: node --import tsx app/cli/audit-rollback-plan.ts [--verify]

Used by scripts/rollback-audit-migrations.sh. Prints the current migration
state and exactly which migrations a rollback to the state before the audit
fields reverts (the same selection db:rollback --to makes: every migration
applied after the first audit migration, and that one, newest first). Those
that are not part of the audit, reverted only because they were applied
after it, are listed apart with the rows their table holds now. A last line
says "TARGET=<first audit migration>" (empty: nothing to do).

Options:
  --verify    check instead that the database is at the pre-audit state:
              no audit migration applied, no audit column or table left.
              Exits 1 with what is wrong otherwise.
  -h, --help  show this help
`;

/** "table t: N row(s)" for the table a migration declares, or that it is gone. */
async function rowsNote(sequelize: Sequelize, name: string): Promise<string> {
  const meta = migrationCatalog().find((entry) => entry.name === name)?.meta;
  if (!meta) return 'no properties declared';
  const table = meta.table;
  if (meta.kind === 'index') return `an index on ${table} (no rows)`;
  const [found] = await sequelize.query<{ exists: boolean }>(
    'SELECT to_regclass(:table) IS NOT NULL AS exists',
    { replacements: { table }, type: QueryTypes.SELECT },
  );
  if (!found?.exists) return `table ${table} is gone`;
  const [counted] = await sequelize.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${ident(table)}`,
    { type: QueryTypes.SELECT },
  );
  return `table ${table}: ${counted?.n ?? 0} row(s)`;
}

runMain('audit-rollback-plan', async () => {
  const args = parseCommandLine(process.argv.slice(2), { verify: { type: 'boolean' } }, HELP);
  return withDatabase(async (db) => {
    const migrator = createMigrator(db.sequelize);
    const { executed, pending } = await readHistory(migrator);
    // Exactly what `db:rollback --to <first audit migration>` would revert.
    const names = executed.includes(firstAuditMigration())
      ? (await selectMigrations(migrator, { direction: 'down', to: firstAuditMigration() })).names
      : [];

    if (args.verify) {
      const problems = [
        ...names.map((name) => `still applied: ${name}`),
        ...(await auditLeftovers(db.sequelize)).map((name) => `still present: ${name}`),
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
    if (names.length === 0) {
      console.log('No audit migration is applied: nothing to roll back.');
    } else {
      console.log(`Will revert these ${names.length} migrations, in this order:`);
      names.forEach((name, i) => console.log(`  ${String(i + 1).padStart(2)}. ${name}`));
      const others = names.filter((name) => !isAuditMigration(name));
      if (others.length > 0) {
        console.log(
          `Of these, ${others.length} are not audit migrations: they are reverted only because ` +
            'they were applied after the first one. What their tables hold now:',
        );
        for (const name of others) console.log(`  ${name}: ${await rowsNote(db.sequelize, name)}`);
      }
    }
    const archive = await withMigrationClient(db.sequelize.getQueryInterface(), archiveSummary);
    for (const s of archive) {
      console.log(`Audit archive already holds ${s.values} value(s) of ${s.table}.${s.column}.`);
    }
    console.log(`TARGET=${names.length ? firstAuditMigration() : ''}`);
    return 0;
  });
});
