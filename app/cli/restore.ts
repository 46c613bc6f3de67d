import { runMain, UsageError } from './run-main';
import { BackupError } from '../ops/backup/manifest';
import { restoreBackup } from '../ops/backup/restore-backup';
import { parseCommandLine, progress, withDatabase } from './command-line';

const HELP = `
Usage: npm run db:restore -- --from <folder>

Loads a backup written by db:backup into the database named by DATABASE_URL,
whose tables must be empty: restore into a new database, then switch over.
An empty database is first migrated to exactly the backup's migrations (the
same SequelizeMeta). All tables load in one transaction, in foreign-key
order, sequences are set where the source's stood, and everything is read
back; it commits only if every row count and SHA-256 matches the manifest,
so a restore is all or nothing. The history's monthly partitions covering
the backup's entries are made before they load. Login tokens are not in a backup: after a
restore, users log in again.

Options:
  --from <folder>  the backup folder (the one holding manifest.json)
  -h, --help       show this help

Example:
  createdb gma_restore
  DATABASE_URL=postgres://.../gma_restore npm run db:restore -- --from .data/backups/<timestamp>
`;

runMain('db:restore', async () => {
  const args = parseCommandLine(process.argv.slice(2), { from: { type: 'string' } }, HELP);
  if (!args.from) throw new UsageError('--from <folder> is required: the backup to restore');
  const from = args.from;
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
