import { runMain } from './run-main';
import { defaultBackupRoot } from '../ops/backup/backup-folder';
import { exitCodeOf, formatReport } from '../ops/check-report';
import { runPreflight } from '../ops/preflight/run-preflight';
import { DEFAULT_ROWS_PER_SECOND } from '../ops/preflight/table-sizes';
import { parseCommandLine, withDatabase } from './command-line';
import { numericOption } from './numeric-option';

const HELP = `
Usage: npm run db:preflight [-- options]

The pre-migration checklist, read-only. Checks:
  database                      reachable, and its PostgreSQL version
  pending migrations            what db:migrate would apply
  orphaned records              references to users/campaigns that do not exist
                                (the foreign keys would fail to validate)
  rows the backfill cannot fill no creator and no campaign owner (warning)
  long-running transactions     open transactions that would make DDL wait
  table sizes                   rows and bytes, with an estimated duration
  recent backup                 a db:backup of the touched tables, recent enough

Exit code 0 when nothing failed (warnings allowed), 1 otherwise.

Options:
  --backups <folder>                where db:backup writes; default <GMA_DATA_DIR>/backups
  --backup-max-age-hours <h>        newest acceptable backup age; default 24
  --max-transaction-seconds <s>     older open transactions fail the check; default 30
  --rows-per-second <n>             throughput for the estimate; default ${DEFAULT_ROWS_PER_SECOND}
  --json                            print the checks as JSON
  -h, --help                        show this help
`;

runMain('db:preflight', async () => {
  const args = parseCommandLine(
    process.argv.slice(2),
    {
      backups: { type: 'string' },
      'backup-max-age-hours': { type: 'string' },
      'max-transaction-seconds': { type: 'string' },
      'rows-per-second': { type: 'string' },
      json: { type: 'boolean' },
    },
    HELP,
  );
  const options = {
    backupRoot: args.backups ?? defaultBackupRoot(),
    backupMaxAgeHours: numericOption('backup-max-age-hours', args['backup-max-age-hours'], 24),
    maxTransactionSeconds: numericOption(
      'max-transaction-seconds',
      args['max-transaction-seconds'],
      30,
    ),
    rowsPerSecond: numericOption(
      'rows-per-second',
      args['rows-per-second'],
      DEFAULT_ROWS_PER_SECOND,
      1,
    ),
  };
  return withDatabase(async (db) => {
    const checks = await runPreflight(db.url, db.sequelize, options);
    console.log(args.json ? JSON.stringify(checks, null, 2) : formatReport('Preflight', checks));
    return exitCodeOf(checks);
  });
});
