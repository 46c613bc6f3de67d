import { runMain } from './run-main';
import { tableList } from '../registry';
import { exitCodeOf, formatReport } from '../ops/check-report';
import { runVerify } from '../ops/verify/run-verify';
import { parseCommandLine, withDatabase } from './command-line';

const HELP = `
Usage: npm run db:verify [-- --json]

The post-migration checks, read-only; run it right after db:migrate:
  migrations              every migration on disk is applied
  audit columns           created_by and modified_by on each audited table:
                          ${tableList()}
  audit fields populated  no row the backfill rules can fill is still NULL
                          (rows with no creator and no campaign owner are listed)
  audit foreign keys      to users, validated, ON DELETE SET NULL
  indexes                 valid indexes on created_at, updated_at, created_by,
                          modified_by of each table
  invalid indexes         none left behind by a failed concurrent build
  orphaned references     no row points at a missing user or campaign
  history capture         each audited table's history trigger exists, is
                          enabled, calls gma_history_capture() and watches
                          every column (one added later is reported)
  history partitions      made for this month and the next (warning if not;
                          also a warning when the default partition holds
                          entries)

Exit code 0 when everything passed, 1 otherwise (the report says what to do).

Options:
  --json      print the checks as JSON
  -h, --help  show this help
`;

runMain('db:verify', async () => {
  const args = parseCommandLine(process.argv.slice(2), { json: { type: 'boolean' } }, HELP);
  return withDatabase(async (db) => {
    const checks = await runVerify(db.url);
    console.log(args.json ? JSON.stringify(checks, null, 2) : formatReport('Verify', checks));
    return exitCodeOf(checks);
  });
});
