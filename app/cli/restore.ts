import { runMain, UsageError } from './run-main';
import { loadConfig } from '../config';
import { OperatorError } from '../operator-error';
import { BackupError } from '../ops/backup/manifest';
import { restoreBackup } from '../ops/backup/restore-backup';
import { parseCommandLine, progress, withDatabase } from './command-line';

const HELP = `
Usage: npm run db:restore -- --from <folder>

Loads a backup written by db:backup into a new, empty database: create it,
point DATABASE_URL at it (and MIGRATION_DATABASE_URL too, if your environment
sets it: the db:* commands use that one first, and it is refused without
DATABASE_URL), restore, then switch over.
The empty database is first migrated to exactly the backup's migrations (the
same SequelizeMeta). All tables load in one transaction, in foreign-key
order, sequences are set where the source's stood, and everything is read
back; the load commits only if every row count and SHA-256 matches the
manifest. Tables a rollback kept aside (<table>_archived) are made as their
migration creates them, with the source's partitions. All or nothing: if
any step fails (a migration, the load, the check), the migrations applied
to the empty database are reverted and the tables made there dropped, so
it is left as it was found (if even that fails, the message says which
database to drop and create again). A target holding tables but no
migrations is refused. Login tokens are not in a backup: after a restore,
users log in again.

Options:
  --from <folder>  the backup folder (the one holding manifest.json)
  -h, --help       show this help

Example:
  psql "$DATABASE_URL" -c 'CREATE DATABASE gma_restore'
  DATABASE_URL=postgres://user:password@host:5432/gma_restore \\
    npm run db:restore -- --from .data/backups/<timestamp>
`;

runMain('db:restore', async () => {
  const args = parseCommandLine(process.argv.slice(2), { from: { type: 'string' } }, HELP);
  if (!args.from) throw new UsageError('--from <folder> is required: the backup to restore');
  const from = args.from;
  refuseTwoTargets();
  return withDatabase(async (db) => {
    try {
      const { manifest } = await restoreBackup(db.url, { dir: from, log: progress });
      const rows = manifest.tables.reduce((sum, t) => sum + t.rows, 0);
      console.log(`Restored ${manifest.tables.length} tables (${rows} rows) from ${from}`);
      return 0;
    } catch (error) {
      if (!(error instanceof BackupError)) throw error;
      console.error(`db:restore: ${error.message}`);
      return 1;
    }
  });
});

/**
 * The restore writes where every db:* command does: MIGRATION_DATABASE_URL
 * when set, else DATABASE_URL. An operator who points only DATABASE_URL at
 * the new database while MIGRATION_DATABASE_URL still names the old one
 * would restore elsewhere than meant: refused before anything is touched.
 */
function refuseTwoTargets(): void {
  const { databaseUrl, migrationDatabaseUrl } = loadConfig();
  if (!databaseUrl || !migrationDatabaseUrl) return;
  const database = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));
  if (database(databaseUrl) === database(migrationDatabaseUrl)) return;
  throw new OperatorError(
    `DATABASE_URL names database "${database(databaseUrl)}" but MIGRATION_DATABASE_URL names ` +
      `"${database(migrationDatabaseUrl)}", and the restore would write into the latter. Point both ` +
      'at the new, empty database (or unset MIGRATION_DATABASE_URL); nothing was restored',
  );
}
