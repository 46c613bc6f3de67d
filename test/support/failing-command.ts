// A command that fails the way its argument says, for the tests of what a
// failed command prints (test/commands/run-main.test.ts).
import { memoryStorage, Umzug } from 'umzug';
import { runMain, UsageError } from '../../app/cli/run-main';
import { ConfigError } from '../../app/config';
import { DdlLockTimeoutError } from '../../app/db/migration-lib/online-ddl';

const failures: Record<string, () => Error> = {
  explained: () => new ConfigError('PORT', 'must be a port number (got "abc")'),
  usage: () => new UsageError('Unknown option --nope'),
  bug: () => new TypeError('Cannot read properties of undefined'),
  'lock-timeout': () => new DdlLockTimeoutError('lock on items not acquired after 40 attempts'),
};

runMain('failing-command', async () => {
  const [kind, inMigration] = process.argv.slice(2);
  const failure = failures[kind ?? '']!();
  if (inMigration !== 'in-migration') throw failure;
  // A real Umzug run, so the wrapping is Umzug's own MigrationError.
  const umzug = new Umzug({
    migrations: [
      {
        name: '20990101000000-fail-on-purpose.ts',
        up: async () => {
          throw failure;
        },
      },
    ],
    storage: memoryStorage(),
    logger: undefined,
  });
  await umzug.up();
});
