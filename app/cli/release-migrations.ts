import { runMain, UsageError } from './run-main';
import { listMigrationFiles, MIGRATIONS_DIR } from '../db/migration-files';
import { checkReleased } from '../ops/release/check-released';
import { writeTranscripts } from '../ops/release/record-store';
import { describeMismatch } from '../ops/release/transcript';
import { parseCommandLine, withDatabase } from './command-line';

const HELP = `
Usage: npm run db:release-migrations [-- --check | --rerecord <migration>[,<migration>...]]

A released migration's behaviour is frozen: what it sends to a database and
what it leaves there. This command replays every migration, up in order and
then down in reverse, on a scratch database of the configured server (fixed
tuning, small fixed data; needs CREATEDB), and:
  - compares each released migration with its transcript (app/db/released/);
  - records a transcript for each migration not released yet, and lists it
    in app/db/released-migrations.json. Existing transcripts are kept.
A released migration whose transcript no longer matches is reported with a
diff, and nothing is recorded: restore what changed, or put the new
behaviour in a new migration. See docs/migrations.md, "Freezing policy".

Options:
  --check                   change nothing; exit 1 if a released migration
                            does something else than recorded
  --rerecord <migration>    record that released migration's transcript
                            again (only when the change is deliberate and
                            reviewed, e.g. a new reference row); several,
                            separated by commas, are recorded together
  -h, --help                show this help
`;

runMain('db:release-migrations', async () => {
  const args = parseCommandLine(
    process.argv.slice(2),
    { check: { type: 'boolean' }, rerecord: { type: 'string' } },
    HELP,
  );
  const rerecord = args.rerecord === undefined ? [] : String(args.rerecord).split(',');
  if (args.check && rerecord.length > 0) {
    throw new UsageError('--check and --rerecord cannot be combined');
  }
  for (const name of rerecord) {
    if (!listMigrationFiles(MIGRATIONS_DIR).includes(name)) {
      throw new UsageError(`--rerecord: no migration file is named ${name}`);
    }
  }
  return withDatabase(async (db) => {
    const { mismatches, missing, unreleased, replayed } = await checkReleased(db.url);
    const blocking = mismatches.filter((m) => !rerecord.includes(m.migration));
    for (const mismatch of blocking) console.error(describeMismatch(mismatch));
    for (const name of missing) console.error(`${name} was released and its file is gone`);
    if (blocking.length || missing.length) {
      console.error(
        'A released migration must keep doing what it did: restore the code it runs, or put ' +
          'the new behaviour in a new migration (docs/migrations.md, "Freezing policy").',
      );
      return 1;
    }
    if (args.check) {
      console.log(`OK: released migrations unchanged; ${unreleased.length} not yet released.`);
      return 0;
    }
    const toWrite = [...unreleased];
    for (const name of rerecord) {
      if (!unreleased.some((t) => t.migration === name)) toWrite.push(replayed.get(name)!);
    }
    const failed = toWrite.filter((t) => t.up.error || t.down.error);
    for (const t of failed) {
      console.error(`${t.migration} failed in the replay: ${t.up.error ?? t.down.error}`);
    }
    if (failed.length) return 1;
    writeTranscripts(toWrite);
    console.log(
      toWrite.length
        ? `Recorded ${toWrite.length} transcript(s): ${toWrite.map((t) => t.migration).join(', ')}`
        : 'Every migration is already released.',
    );
    return 0;
  });
});
