import { runMain } from './run-main';
import { defaultBackupRoot, timestampedFolder } from '../ops/backup/backup-folder';
import { createBackup } from '../ops/backup/create-backup';
import { BackupError } from '../ops/backup/manifest';
import { parseCommandLine, progress, withDatabase } from './command-line';

const HELP = `
Usage: npm run db:backup [-- --out <folder>]

Takes a logical backup of every table of the app's schema, read from the
database catalog (so tables added by later migrations are included), and
of the backfill log and the audit archive when they exist: one COPY file
per table, in foreign-key order, all read from one consistent snapshot,
and a manifest.json with each table's columns, row count, SHA-256 and
sequences, plus the applied migrations. Writers are not blocked while it
runs.

The history (history_entries) is dumped once, from its partitioned table,
with the time range of its entries, so that db:restore makes the monthly
partitions they belong in before loading them. Tables a rollback kept
aside (history_entries_archived with its partitions,
campaign_invitations_archived, rate_limits_archived) are backed up like
any other, and db:restore makes them again.

Login tokens (auth_tokens) are left out on purpose: a restore must not
bring back a session logged out since the backup; users log in again.

Options:
  --out <folder>  where to write (must not exist or be empty);
                  default: <GMA_DATA_DIR>/backups/<timestamp>, where
                  db:preflight looks for recent backups
  -h, --help      show this help

Restore with: npm run db:restore -- --from <folder>
`;

runMain('db:backup', async () => {
  const args = parseCommandLine(process.argv.slice(2), { out: { type: 'string' } }, HELP);
  const dir = args.out ?? timestampedFolder(defaultBackupRoot());
  return withDatabase(async (db) => {
    try {
      const manifest = await createBackup(db.url, { dir, log: progress });
      const rows = manifest.tables.reduce((sum, t) => sum + t.rows, 0);
      console.log(`Backed up ${manifest.tables.length} tables (${rows} rows) to ${dir}`);
      return 0;
    } catch (error) {
      if (!(error instanceof BackupError)) throw error;
      console.error(`db:backup: ${error.message}`);
      return 1;
    }
  });
});
