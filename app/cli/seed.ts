import { runMain } from './run-main';
import { createSeeder } from '../db/migrator';
import { parseCommandLine, progress, withDatabase } from './command-line';

const HELP = `
Usage: npm run db:seed

Runs the seeders in seeders/ that have not run yet (history in SequelizeData,
as "npx sequelize db:seed:all" keeps it), e.g. the demo campaign.

Options:
  -h, --help  show this help
`;

runMain('db:seed', async () => {
  parseCommandLine(process.argv.slice(2), {}, HELP);
  return withDatabase(async (db) => {
    const seeder = createSeeder(db.sequelize);
    seeder.on('migrating', ({ name }) => progress(`== ${name}: seeding`));
    const ran = await seeder.up();
    console.log(ran.length ? `Ran ${ran.length} seeder(s).` : 'No seeders left to run.');
  });
});
