import { inspect } from 'node:util';
import { MigrationError } from 'umzug';
import { OperatorError } from '../operator-error';

/** A command-line mistake: the message is printed with a pointer to --help, exit code 2. */
export class UsageError extends OperatorError {
  override readonly name = 'UsageError';
  override readonly exitCode = 2;
}

/** Whether `error` is explained to the operator, so its message alone is printed. */
export function isExplained(error: unknown): error is Error {
  return error instanceof OperatorError;
}

/**
 * What a failed command prints on stderr, and its exit code. An explained
 * error is one line; Umzug wraps a migration's failure in a MigrationError,
 * which is unwrapped so the line names the migration and says what happened
 * in the words of its cause. Anything else prints its stack.
 */
export function describeFailure(name: string, error: unknown): { text: string; exitCode: number } {
  if (error instanceof MigrationError) {
    const { migration, cause } = error;
    const where = `${name}: migration ${migration.name} (${migration.direction}) failed`;
    if (isExplained(cause))
      return { text: `${where}: ${cause.message}`, exitCode: exitCodeOf(cause) };
    return { text: `${where}: ${stackOf(cause)}`, exitCode: 1 };
  }
  if (error instanceof UsageError) {
    return { text: `${name}: ${error.message}\nRun with --help for usage.`, exitCode: 2 };
  }
  if (isExplained(error)) return { text: `${name}: ${error.message}`, exitCode: exitCodeOf(error) };
  return { text: `${name}: unexpected failure: ${stackOf(error)}`, exitCode: 1 };
}

function exitCodeOf(error: Error): number {
  return error instanceof OperatorError ? error.exitCode : 1;
}

/** The stack and the fields a driver error carries (SQLSTATE, detail), as console.error shows them. */
function stackOf(error: unknown): string {
  return inspect(error);
}

/**
 * Runs a command's main function: explained failures print one line and exit
 * non-zero; anything else is a bug and prints its stack.
 */
export function runMain(name: string, main: () => Promise<number | void>): void {
  main().then(
    // Exit explicitly: a stray open handle must not keep a finished command alive.
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      const { text, exitCode } = describeFailure(name, error);
      console.error(text);
      process.exit(exitCode);
    },
  );
}
