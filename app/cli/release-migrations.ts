import { runMain } from './run-main';
import {
  checkReleased,
  describeChange,
  recordReleased,
  RELEASED_CHANGE_HELP,
  RELEASED_FILE,
} from '../db/released-migrations';
import { parseCommandLine } from './command-line';

const HELP = `
Usage: npm run db:release-migrations [-- --check]

Records, for every migration file, the sha256 of the file and of every project
file it imports (transitively: its helpers) in app/db/released-migrations.json.
Once released, a migration and everything it imports must never change:
databases that already ran it would silently differ from new ones. Write a
new migration (and a new helper file) instead.

Options:
  --check     change nothing; exit 1 if a released migration, or a file it
              imports, was edited or removed
  -h, --help  show this help
`;

runMain('db:release-migrations', async () => {
  const args = parseCommandLine(process.argv.slice(2), { check: { type: 'boolean' } }, HELP);
  const { changed, missing, unreleased } = checkReleased();
  for (const change of changed) console.error(describeChange(change));
  for (const name of missing) console.error(`${name} was released and is gone`);
  if (changed.length || missing.length) {
    console.error(RELEASED_CHANGE_HELP);
    return 1;
  }
  if (args.check) {
    console.log(`OK: released migrations unchanged; ${unreleased.length} not yet released.`);
    return 0;
  }
  const { added, upgraded } = recordReleased();
  if (upgraded.length) {
    console.log(`Recorded the imports of ${upgraded.length} released migration(s).`);
  }
  console.log(
    added.length
      ? `Recorded ${added.length} migration(s) in ${RELEASED_FILE}: ${added.join(', ')}`
      : 'Every migration is already recorded.',
  );
  return 0;
});
