/** Errors whose message alone tells an operator what to do: no stack trace for these. */
const EXPLAINED = new Set([
  'ConfigError',
  'DatabaseUnreachableError',
  'UnknownMigrationError',
  'LockTimeoutError',
  'LockLostError',
  'TransactionPoolerError',
  'MigrationError',
  'IrreversibleMigrationError',
  'UsageError',
  'ListenError',
]);

/** A command-line mistake: the message is printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Runs a command's main function: known failures print one line and exit
 * non-zero; anything else is a bug and prints its stack.
 */
export function runMain(name: string, main: () => Promise<number | void>): void {
  main().then(
    // Exit explicitly: a stray open handle must not keep a finished command alive.
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      const err = error instanceof Error ? error : new Error(String(error));
      if (err.name === 'UsageError') {
        console.error(`${name}: ${err.message}\nRun with --help for usage.`);
        process.exit(2);
      }
      if (EXPLAINED.has(err.name)) console.error(`${name}: ${err.message}`);
      else console.error(`${name}: unexpected failure:`, err);
      process.exit(1);
    },
  );
}
