import { z } from 'zod';

/** The one error body every failure returns. */
export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'validation_failed' }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

const MAX_INT = 2_147_483_647;

/**
 * A whole number in a path or query string: plain decimal digits only, never
 * coerced (`0x1`, `+1`, `1e3`, ` 1` are what Number() would accept), then
 * bounded. Documented as an integer.
 */
function decimal(min: number, max: number) {
  return z
    .string()
    .regex(/^[0-9]{1,10}$/, 'must be plain decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .meta({ type: 'integer', minimum: min, maximum: max });
}

/** A database id in a path or query string: a positive 32-bit integer, in plain decimal. */
export const Id = decimal(1, MAX_INT);

/** A database id in a JSON body: a number, never coerced, within the integer column's range. */
export const BodyId = z.number().int().positive().max(MAX_INT);

export const IdParams = z.strictObject({ id: Id });

/** The small form of a user embedded in other resources. */
export const UserSummary = z
  .object({ id: z.number().int(), username: z.string(), displayName: z.string() })
  .meta({ id: 'UserSummary' });

/** Page size: 1 to 100, 20 when absent. */
export const MAX_PAGE_SIZE = 100;
/** Deepest offset served; past it, narrow the filters instead. */
export const MAX_OFFSET = 100_000;

export const PageQuery = {
  limit: decimal(1, MAX_PAGE_SIZE).default(20),
  offset: decimal(0, MAX_OFFSET).default(0),
};

export const Page = z
  .object({
    limit: z.number().int(),
    offset: z.number().int(),
    nextOffset: z.number().int().nullable().meta({ description: 'null on the last page' }),
  })
  .meta({ id: 'Page' });

/** Years a timestamp may name: what the API means and PostgreSQL stores (it refuses year 0). */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 9999;

/** An ISO 8601 instant with a real calendar date in years MIN_YEAR..MAX_YEAR. */
export const Timestamp = z.iso.datetime({ offset: true }).refine((value) => {
  const date = new Date(value);
  const year = date.getUTCFullYear();
  // The date part must be a real day (no 2025-02-30), read back unchanged.
  const [y, m, d] = value.slice(0, 10).split('-').map(Number);
  const exact = new Date(Date.UTC(y!, m! - 1, d!));
  return (
    !Number.isNaN(date.getTime()) &&
    year >= MIN_YEAR &&
    year <= MAX_YEAR &&
    exact.getUTCDate() === d &&
    exact.getUTCMonth() === m! - 1
  );
}, `must be a real date and time in the years ${MIN_YEAR} to ${MAX_YEAR}`);

/** A string the user typed: trimmed, non-empty, at most `max` characters. */
export function text(max: number) {
  return z.string().trim().min(1).max(max);
}
