import { OperatorError } from './operator-error';

/*
 * The smallest pieces of configuration parsing, on their own so that
 * migration code can use them without depending on the whole app config
 * (released migrations freeze what they import).
 */

/** A setting in the environment is missing or malformed; the message names the variable. */
export class ConfigError extends OperatorError {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
  }
}

/** A whole number from `min` to `max` in `env[name]`, or `fallback`; anything else is a ConfigError naming it. */
export function integer(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${value}")`);
  }
  return n;
}
