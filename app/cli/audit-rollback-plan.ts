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
import { buildPlan, type PlannedStep } from '../ops/plan/build-plan';
import { parseCommandLine, withDatabase } from './command-line';

const HELP = `
Usage: node --import tsx app/cli/audit-rollback-plan.ts [--verify] [--discard-data]

Used by scripts/rollback-audit-migrations.sh. Prints the current migration
state and exactly which migrations a rollback to the state before the audit
fields reverts (the same selection db:rollback --to makes: every migration
applied after the first audit migration, and that one, newest first). Those
that are not part of the audit, reverted only because they were applied
after it, are listed apart with the rows their table holds now and what the
rollback does with them (from its plan, as db:plan -- --rollback shows it:
kept aside and brought back by db:migrate, dropped when empty, or refused).
Then "OTHERS=<n>" when there are such migrations, "REFUSED=1" when a down
would refuse, and last "TARGET=<first audit migration>" (empty: nothing to do).

Options:
  --verify        check instead that the database is at the pre-audit
                  state: no audit migration applied, no audit column or
                  table left; lists the tables kept aside. Exits 1 with
                  what is wrong otherwise.
  --discard-data  plan the rollback as db:rollback --discard-data runs it
  -h, --help      show this help
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

/** What the rollback's down of `step` does with the rows, from the plan (the SQL it will send here). */
function fate(step: PlannedStep | undefined, planned: boolean): string {
  if (!planned || !step) return 'what its down does is not known (no plan: see db:plan)';
  if (step.refused) return `its down REFUSES: ${step.refused}`;
  const aside = step.statements
    .map(({ sql }) => /RENAME TO "?(\w+_archived)"?/i.exec(sql)?.[1])
    .find(Boolean);
  if (aside) return `kept aside as ${aside}; db:migrate brings them back`;
  if (step.statements.some(({ sql }) => /^\s*DROP TABLE/i.test(sql))) return 'dropped (empty)';
  return 'no rows are dropped';
}

/** The tables downs have renamed aside (`<table>_archived`), with their rows. */
async function keptAside(sequelize: Sequelize): Promise<string[]> {
  const rows = await sequelize.query<{ name: string }>(
    `SELECT relname AS name FROM pg_class
      WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p')
        AND relname LIKE '%\\_archived' ORDER BY 1`,
    { type: QueryTypes.SELECT },
  );
  const lines: string[] = [];
  for (const { name } of rows) {
    const [counted] = await sequelize.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${ident(name)}`,
      { type: QueryTypes.SELECT },
    );
    lines.push(`${name} (${counted?.n ?? 0} row(s))`);
  }
  return lines;
}

runMain('audit-rollback-plan', async () => {
  const args = parseCommandLine(
    process.argv.slice(2),
    { verify: { type: 'boolean' }, 'discard-data': { type: 'boolean' } },
    HELP,
  );
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
      const aside = await keptAside(db.sequelize);
      if (aside.length > 0) {
        console.log(`Kept aside until the migrations are applied again: ${aside.join(', ')}.`);
      }
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
        // The rollback's own plan (db:plan): what each down sends on this database.
        const plan = await buildPlan(db.url, {
          direction: 'down',
          to: firstAuditMigration(),
          discardData: args['discard-data'] === true,
        });
        const planned = plan.sqlUnavailable === undefined;
        console.log(
          `Of these, ${others.length} are not audit migrations: they are reverted only because ` +
            'they were applied after the first one. What their tables hold now, and what the rollback does with it:',
        );
        for (const name of others) {
          const step = plan.steps.find((s) => s.migration === name);
          console.log(`  ${name}: ${await rowsNote(db.sequelize, name)}; ${fate(step, planned)}`);
        }
        console.log(`OTHERS=${others.length}`);
        if (plan.steps.some((s) => s.refused)) console.log('REFUSED=1');
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
