import { runMain } from './run-main';
import { migrationStatus } from '../db/migration-runner';
import { parseCommandLine, withDatabase } from './command-line';

const HELP = `
Usage: npm run db:status [-- --json]

Lists applied ("up") and pending ("down") migrations, read from SequelizeMeta,
the table sequelize-cli uses too.

Options:
  --json      print {"executed": [...], "pending": [...]}
  -h, --help  show this help
`;

runMain('db:status', async () => {
  const args = parseCommandLine(process.argv.slice(2), { json: { type: 'boolean' } }, HELP);
  return withDatabase(async (db) => {
    const status = await migrationStatus(db.sequelize);
    if (args.json) {
      console.log(JSON.stringify(status));
      return;
    }
    for (const name of status.executed) console.log(`up    ${name}`);
    for (const name of status.pending) console.log(`down  ${name}`);
    console.log(`${status.executed.length} applied, ${status.pending.length} pending`);
  });
});
