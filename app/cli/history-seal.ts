import { runMain } from './run-main';
import { OperatorError } from '../operator-error';
import { historyTableExists } from '../history/partition-catalog';
import { formatSealLine } from '../history/digests-file';
import { recordedSeals, sealClosedPartitions, sealsTableExists } from '../history/seal';
import { openStableClient } from '../ops/pg-client';
import { parseCommandLine, progress, withDatabase } from './command-line';

const HELP = `
Usage: npm run db:history-seal [> digests-YYYY-MM-DD.txt]

Records, for each closed monthly partition of the history not sealed yet,
the SHA-256 of its entries in history_seals, then prints every seal on
stdout, one line each:

  <partition> <starts> <ends> <entries> <sha256 in hex>

Keep that output outside the database (another machine, a ticket, a
printout): npm run db:history-verify -- --digests <file> compares the
history with it, and an edit by someone with database access who does not
also hold that file is found.

A month is closed when it is over and no transaction that began before its
end is still open (the seal needs to see every session: run it as a
superuser or a role with pg_read_all_stats). The current month and the
default partition are never sealed. A partition sealed before is checked
again: unchanged, its seal stays; changed, the command says so, keeps the
old seal, and exits 1. Progress goes to stderr.

Options:
  -h, --help  show this help

Example:
  npm run db:history-seal
`;

runMain('db:history-seal', async () => {
  parseCommandLine(process.argv.slice(2), {}, HELP);
  return withDatabase(async (db) => {
    const client = await openStableClient(db.url, 'gma-history-seal');
    try {
      if (!(await historyTableExists(client)) || !(await sealsTableExists(client))) {
        throw new OperatorError(
          'the history or its seals table is missing; run npm run db:migrate first',
        );
      }
      const report = await sealClosedPartitions(client, progress);
      for (const { partition, reason } of report.skipped) {
        progress(`${partition.name}: not sealed, ${reason}`);
      }
      const seals = await recordedSeals(client);
      console.log(
        `# history seals printed ${new Date().toISOString()}: <partition> <starts> <ends> <entries> <sha256>`,
      );
      console.log('# keep this file outside the database; db:history-verify --digests reads it');
      for (const seal of seals) console.log(formatSealLine(seal));
      progress(
        `Sealed ${report.sealed.length} partition(s) now; ${report.unchanged.length} sealed before, unchanged; ` +
          `${seals.length} seal(s) printed.`,
      );
      return 0;
    } finally {
      await client.end();
    }
  });
});
