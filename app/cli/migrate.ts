import { runMain } from './run-main';
import { migrateUp } from '../db/migration-runner';
import { parseCommandLine, progress, withDatabase } from './command-line';

const HELP = `
Usage: npm run db:migrate [-- --to <migration>]

Applies pending migrations in name order, holding the migration lock so that
concurrent runs (several app instances, sequelize-cli) apply each one once.

Options:
  --to <migration>  stop after this migration (inclusive), e.g.
                    --to 20260101000400-create-characters.ts (".ts" optional)
  -h, --help        show this help

Uses MIGRATION_DATABASE_URL (set only with DATABASE_URL), else
DATABASE_URL, else the embedded PostgreSQL under .data/. Through a transaction pooler (PgBouncer pool_mode=transaction)
it refuses before changing anything: set MIGRATION_DATABASE_URL to a direct
connection. If the lock's connection is lost, it stops before the next
migration and exits 1; running it again resumes.
Same history as: npx sequelize db:migrate [--to <migration>]
`;

runMain('db:migrate', async () => {
  const args = parseCommandLine(process.argv.slice(2), { to: { type: 'string' } }, HELP);
  return withDatabase(async (db) => {
    const applied = await migrateUp(db.sequelize, db.url, { to: args.to, log: progress });
    console.log(
      applied.length ? `Applied ${applied.length} migration(s).` : 'No pending migrations.',
    );
  });
});
