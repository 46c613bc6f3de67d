import { runMain, UsageError } from './run-main';
import { migrateDown } from '../db/migration-runner';
import { withDataDiscarded } from '../db/migration-lib/kept-rows';
import { parseCommandLine, progress, withDatabase } from './command-line';

const HELP = `
Usage: npm run db:rollback -- [--to <migration> | --step <n>]

Reverts applied migrations, newest first, holding the migration lock.

Options:
  --to <migration>  revert every migration applied after <migration> AND
                    <migration> itself (inclusive, like sequelize-cli's
                    "db:migrate:undo:all --to"). To return to the state before
                    the audit fields, name the FIRST audit migration.
  --step <n>        revert the last n migrations
  --discard-data    let the downs that cannot keep the rows they drop
                    (the tables created before the audit, login tokens,
                    campaigns' player-content setting) drop them. Without
                    it such a down refuses, naming the table and the row
                    count, and the rollback stops before it. Rows a down
                    keeps aside are kept either way and come back with
                    db:migrate: the history, pending invitations, the login
                    and registration counts, audit values.
  -h, --help        show this help
With neither option, the last migration is reverted.

Uses MIGRATION_DATABASE_URL (set only with DATABASE_URL), else
DATABASE_URL, else the embedded PostgreSQL; refuses a transaction pooler before changing anything, like db:migrate.

Same history as: npx sequelize db:migrate:undo:all --to <migration>
`;

runMain('db:rollback', async () => {
  const args = parseCommandLine(
    process.argv.slice(2),
    { to: { type: 'string' }, step: { type: 'string' }, 'discard-data': { type: 'boolean' } },
    HELP,
  );
  if (args.to !== undefined && args.step !== undefined) {
    throw new UsageError('--to and --step cannot be combined');
  }
  let step: number | undefined;
  if (args.step !== undefined) {
    step = Number(args.step);
    if (!Number.isInteger(step) || step < 1) {
      throw new UsageError(`--step takes a whole number of at least 1 (got "${args.step}")`);
    }
  }
  return withDatabase(async (db) => {
    const revert = () => migrateDown(db.sequelize, db.url, { to: args.to, step, log: progress });
    const reverted = await (args['discard-data'] ? withDataDiscarded(revert) : revert());
    console.log(
      reverted.length ? `Reverted ${reverted.length} migration(s).` : 'No migrations to revert.',
    );
  });
});
