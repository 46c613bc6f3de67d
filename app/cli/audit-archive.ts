import { runMain } from './run-main';
import { archiveSummary, purgeArchive } from '../db/migration-lib/audit-archive';
import { withMigrationClient } from '../db/migration-lib/migration-client';
import { parseCommandLine, withDatabase } from './command-line';

const HELP = `
Usage: npm run db:audit-archive [-- --purge]

When the audit migrations are rolled back, the values of the audit columns
they drop (and the created_by values their backfill had filled) are kept in
the audit_archive schema, outside the app's schema. Applying the migrations
again restores them. This command shows what the archive holds.

Options:
  --purge     delete the archive for good. Re-applying the audit migrations
              then fills the audit columns from the backfill rules instead
              of the recorded values. Nothing else is touched.
  -h, --help  show this help
`;

runMain('db:audit-archive', async () => {
  const args = parseCommandLine(process.argv.slice(2), { purge: { type: 'boolean' } }, HELP);
  return withDatabase((db) =>
    withMigrationClient(db.sequelize.getQueryInterface(), async (client) => {
      const summary = await archiveSummary(client);
      if (summary.length === 0) {
        console.log('The audit archive is empty (no rolled-back audit values are kept).');
        return;
      }
      for (const s of summary) {
        console.log(
          `${s.table}.${s.column}: ${s.values} value(s), archived since ${s.oldest.toISOString()}`,
        );
      }
      if (!args.purge) {
        console.log(
          'They are restored when the audit migrations are applied again (npm run db:migrate). ' +
            'To delete them for good: npm run db:audit-archive -- --purge',
        );
        return;
      }
      const purged = await purgeArchive(client);
      console.log(`Purged ${purged} archived audit value(s).`);
    }),
  );
});
