import { runMain, UsageError } from './run-main';
import { buildPlan, formatPlan, type PlanRequest } from '../ops/plan/build-plan';
import { parseCommandLine, withDatabase } from './command-line';
import { numericOption } from './numeric-option';

const HELP = `
Usage: npm run db:plan [-- --to <migration>]
       npm run db:plan -- --rollback [--to <migration> | --step <n>]

Shows what db:migrate (or db:rollback) would do, migration by migration,
without changing the database: the SQL each step sends, and what it means
for the rows (rows a backfill fills or reverts, values a dropped column
archives, rows a validation or index build scans). What a down decides from
the rows a table holds (rename it aside to keep them, drop it when empty,
refuse to drop rows without --discard-data) is decided from this
database's rows, so the SQL shown is the SQL the rollback sends here; a
down that would refuse is shown REFUSED, and the steps after it as not
reached.

The SQL is recorded by running the same migration files on a scratch
database built to this database's applied state (created and dropped on the
same server; needs CREATEDB). Row counts are read-only queries on this one.

Options:
  --to <migration>  migrate: stop after it; --rollback: revert back to it,
                    INCLUSIVE (as db:rollback --to). To plan the way back to
                    before the audit fields, name the first audit migration.
  --rollback        plan a rollback instead of a migrate
  --step <n>        with --rollback: the last n migrations
  --discard-data    with --rollback: plan it as db:rollback --discard-data
                    runs it (the downs that cannot keep their rows drop
                    them instead of refusing)
  --json            print the plan as JSON
  -h, --help        show this help
`;

runMain('db:plan', async () => {
  const args = parseCommandLine(
    process.argv.slice(2),
    {
      to: { type: 'string' },
      rollback: { type: 'boolean' },
      step: { type: 'string' },
      json: { type: 'boolean' },
      'discard-data': { type: 'boolean' },
    },
    HELP,
  );
  if (args.step !== undefined && !args.rollback) throw new UsageError('--step needs --rollback');
  if (args['discard-data'] && !args.rollback) {
    throw new UsageError('--discard-data needs --rollback');
  }
  if (args.step !== undefined && args.to !== undefined) {
    throw new UsageError('--to and --step cannot be combined');
  }
  const request: PlanRequest = args.rollback
    ? {
        direction: 'down',
        to: args.to,
        step:
          args.step === undefined ? undefined : Math.floor(numericOption('step', args.step, 1, 1)),
        discardData: args['discard-data'] === true,
      }
    : { direction: 'up', to: args.to };
  return withDatabase(async (db) => {
    const plan = await buildPlan(db.url, request);
    console.log(args.json ? JSON.stringify(plan, null, 2) : formatPlan(plan));
  });
});
