import { z } from 'zod';
import { CURSOR_PATTERN } from '../../services/signed-cursor';
import { SNAPSHOT_KINDS } from '../../services/snapshot-service';
import { Character, ItemSchemas, LocationSchemas } from './content';
import { MAX_PAGE_SIZE, Timestamp } from './common';
import { NOT_A_CURSOR } from './history';

const TIME_RULE =
  "An ISO 8601 instant, not in the future and not before the history's oldest kept entry (400 names the earliest)";

/** `?asOf=` of a single GET: the resource as it was then; absent, as it is now. */
export const AsOfQuery = z.strictObject({
  asOf: Timestamp.optional().meta({
    description: `The resource as it was at this time (404 if it did not exist then). ${TIME_RULE}`,
  }),
});

export const SnapshotKind = z.enum(SNAPSHOT_KINDS).meta({ id: 'SnapshotKind' });

const decimalLimit = z
  .string()
  .regex(/^[0-9]{1,10}$/, 'must be plain decimal digits')
  .transform(Number)
  .pipe(z.number().int().min(1).max(MAX_PAGE_SIZE))
  .meta({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE });

export const SnapshotQuery = z.strictObject({
  at: Timestamp.meta({ description: `The time of the snapshot. ${TIME_RULE}` }),
  kind: SnapshotKind.optional().meta({ description: 'Only rows of this kind' }),
  cursor: z.string().regex(CURSOR_PATTERN, NOT_A_CURSOR).optional().meta({
    description:
      'page.nextCursor of the previous page, same at and kind; absent for the first page',
  }),
  limit: decimalLimit.default(20),
});

const kinded = <T extends z.ZodObject>(
  schema: T,
  kind: (typeof SNAPSHOT_KINDS)[number],
  id: string,
) => schema.extend({ kind: z.literal(kind) }).meta({ id });

export const SnapshotRow = z
  .discriminatedUnion('kind', [
    kinded(Character, 'character', 'SnapshotCharacter'),
    kinded(ItemSchemas.resource, 'item', 'SnapshotItem'),
    kinded(LocationSchemas.resource, 'location', 'SnapshotLocation'),
  ])
  .meta({ id: 'SnapshotRow' });

export const SnapshotList = z
  .object({
    at: z.string().meta({ description: 'The time asked for, as given' }),
    data: z.array(SnapshotRow),
    page: z.object({
      nextCursor: z.string().nullable().meta({ description: 'null on the last page' }),
    }),
  })
  .meta({ id: 'SnapshotList' });
