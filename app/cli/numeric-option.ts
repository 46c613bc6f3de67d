import { UsageError } from './run-main';

/** Parses a numeric option; anything but a number of at least `min` is a UsageError naming it. */
export function numericOption(
  name: string,
  value: string | undefined,
  fallback: number,
  min = 0,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min) {
    throw new UsageError(`--${name} takes a number of at least ${min} (got "${value}")`);
  }
  return n;
}
