/**
 * A failure explained to the operator: its message says what went wrong and
 * what to do next, so a command prints the message alone, without a stack
 * trace, and exits with `exitCode`. Any other error that reaches the top of a
 * command is a bug and prints its stack (app/cli/run-main.ts).
 */
export class OperatorError extends Error {
  override readonly name: string = 'OperatorError';
  /** The exit code of a command this error stops. */
  readonly exitCode: number = 1;
}
