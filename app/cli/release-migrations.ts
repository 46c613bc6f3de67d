import { runMain } from './run-main';
import { checkReleased, recordReleased, RELEASED_FILE } from '../db/released-migrations';
import { parseCommandLine } from './command-line';

const HELP = `
Usage: npm run db:release-migrations [-- --check]

Records the sha256 of every migration file in app/db/released-migrations.json. Once
released, a migration must never be edited: databases that already ran it
would silently differ from new ones. Write a new migration instead.

Options:
  --check     change nothing; exit 1 if a released migration was edited or removed
  -h, --help  show this help
`;

runMain('db:release-migrations', async () => {
  const args = parseCommandLine(process.argv.slice(2), { check: { type: 'boolean' } }, HELP);
  const { edited, missing, unreleased } = checkReleased();
  for (const name of edited) console.error(`edited after release: ${name}`);
  for (const name of missing) console.error(`released but missing: ${name}`);
  if (edited.length || missing.length) {
    console.error('Restore these files from git; put the change in a new migration instead.');
    return 1;
  }
  if (args.check) {
    console.log(`OK: released migrations unchanged; ${unreleased.length} not yet released.`);
    return 0;
  }
  const added = recordReleased();
  console.log(
    added.length
      ? `Recorded ${added.length} migration(s) in ${RELEASED_FILE}: ${added.join(', ')}`
      : 'Every migration is already recorded.',
  );
  return 0;
});
