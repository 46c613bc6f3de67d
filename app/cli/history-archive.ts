import { runMain } from './run-main';
import { archivedHistorySummary, purgeArchivedHistory } from '../history/archived-history';
import { openStableClient } from '../ops/pg-client';
import { parseCommandLine, withDatabase } from './command-line';

const HELP = `
Usage: npm run db:history-archive [-- --purge]

When the history table's migration is rolled back, a history holding
entries is not dropped: it is renamed to history_entries_archived (with
its partitions), and applying the migration again renames it back, every
entry kept. This command shows what the archived history holds.

Options:
  --purge     delete the archived history for good. Re-applying the
              migration then starts an empty history. Nothing else is
              touched.
  -h, --help  show this help
`;

runMain('db:history-archive', async () => {
  const args = parseCommandLine(process.argv.slice(2), { purge: { type: 'boolean' } }, HELP);
  return withDatabase(async (db) => {
    const client = await openStableClient(db.url, 'gma-history-archive');
    try {
      const summary = await archivedHistorySummary(client);
      if (!summary) {
        console.log('There is no archived history (the history table was not rolled back).');
        return;
      }
      const range =
        summary.oldest && summary.newest
          ? `, from ${summary.oldest.toISOString()} to ${summary.newest.toISOString()}`
          : '';
      console.log(`history_entries_archived: ${summary.entries} entries${range}`);
      if (!args.purge) {
        console.log(
          'They come back when the history migrations are applied again (npm run db:migrate). ' +
            'To delete them for good: npm run db:history-archive -- --purge',
        );
        return;
      }
      await purgeArchivedHistory(client);
      console.log(`Purged the archived history (${summary.entries} entries).`);
    } finally {
      await client.end();
    }
  });
});
