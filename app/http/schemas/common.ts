import { z } from 'zod';

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

/**
 * `schema` or null. (`.nullable()` on a named schema loses the null in the
 * generated document; a union keeps it: `anyOf: [{$ref}, {type: null}]`.)
 */
export function nullable<T extends z.ZodType>(schema: T) {
  return z.union([schema, z.null()]);
}

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

/** Years MIN_YEAR..MAX_YEAR at the start of a date: the part of the rule JSON Schema can state. */
const YEAR_PATTERN = /^(19[0-9]{2}|[2-9][0-9]{3})-/;

/** An ISO 8601 instant with a real calendar date in years MIN_YEAR..MAX_YEAR. */
export const Timestamp = z.iso
  .datetime({ offset: true })
  .regex(YEAR_PATTERN, `must be in the years ${MIN_YEAR} to ${MAX_YEAR}`)
  .refine((value) => {
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
  }, `must be a real date and time in the years ${MIN_YEAR} to ${MAX_YEAR}`)
  .meta({ format: 'date-time' });

// eslint-disable-next-line no-control-regex -- U+0000 is exactly what it refuses
const NO_NUL = /^[^\u0000]*$/;
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what it refuses
const NOT_BLANK_NO_NUL = /^[^\u0000]*[^\s\u0000][^\u0000]*$/;

/** Free text: no U+0000 (PostgreSQL text cannot hold it), at most `max` characters. */
export function plainText(max: number) {
  return z.string().regex(NO_NUL, 'must not contain U+0000').max(max);
}

/** A string the user typed: trimmed, not blank, no U+0000, at most `max` characters. */
export function text(max: number) {
  return z.string().regex(NOT_BLANK_NO_NUL, 'must not be blank').trim().min(1).max(max);
}

/** At least one field (a PATCH that changes nothing is refused), stated in the document too. */
export function atLeastOneField<T extends z.ZodType<object>>(schema: T) {
  return schema
    .refine((value) => Object.keys(value).length > 0, 'send at least one field to change')
    .meta({ minProperties: 1 });
}
