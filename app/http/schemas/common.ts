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

/** A database id in a path or query string: a positive 32-bit integer. */
export const Id = z.coerce.number().int().positive().max(MAX_INT);

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
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
  offset: z.coerce.number().int().min(0).max(MAX_OFFSET).default(0),
};

export const Page = z
  .object({
    limit: z.number().int(),
    offset: z.number().int(),
    nextOffset: z.number().int().nullable().meta({ description: 'null on the last page' }),
  })
  .meta({ id: 'Page' });

export const Timestamp = z.iso.datetime({ offset: true });

/** A string the user typed: trimmed, non-empty, at most `max` characters. */
export function text(max: number) {
  return z.string().trim().min(1).max(max);
}
