/**
 * An error whose message alone tells an operator what happened and what to do
 * next: commands print it as one line, without a stack trace.
 */
export class OperatorError extends Error {
  override readonly name: string = 'OperatorError';
}
