import { parseCommandLine, withDatabase } from './command-line';
import { runMain, UsageError } from './run-main';
import { renameUser, RenameUserError } from '../ops/rename-user';
import { usernameAsWritten } from '../auth/username';

const HELP = `
Usage: npm run db:rename-user -- --from NAME --to NEW_NAME

Renames one account. Usernames are unique whatever the case; a database that
already holds names differing only in case ("Alice" and "alice") cannot get
that guarantee until all but one of each group are renamed, and the
migration that adds it stops and lists them. Rename them with this command,
tell each owner their new name (they log in with it; password, campaigns and
everything else stay), then run the migrations again.

Options:
  --from NAME      the current username, exactly (case matters here)
  --to NEW_NAME    the new username: 3-150 letters, digits, "_", "." or "-",
                   not taken by another account in any case
  -h, --help       show this help

The system user cannot be renamed. Uses MIGRATION_DATABASE_URL (set only
with DATABASE_URL), else DATABASE_URL, else the embedded PostgreSQL (as
every db:* command).
`;

runMain('db:rename-user', async () => {
  const args = parseCommandLine(
    process.argv.slice(2),
    { from: { type: 'string' }, to: { type: 'string' } },
    HELP,
  );
  if (!args.from || !args.to) throw new UsageError('both --from and --to are required');
  const { from, to } = { from: args.from, to: args.to };
  return withDatabase(async (db) => {
    try {
      const id = await renameUser(db.sequelize, from, to);
      console.log(`Renamed account ${id}: "${from}" -> "${usernameAsWritten(to)}".`);
      return 0;
    } catch (error) {
      if (!(error instanceof RenameUserError)) throw error;
      console.error(`db:rename-user: ${error.message}`);
      return 1;
    }
  });
});
