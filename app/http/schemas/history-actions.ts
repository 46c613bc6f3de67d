import { z } from 'zod';
import { CURSOR_PATTERN } from '../../services/signed-cursor';
import { Id, PageQuery, UserSummary, nullable } from './common';
import { Character } from './content';
import { NOT_A_CURSOR } from './history';

/** The kinds of row the recycle bin holds. */
export const TrashKind = z.enum(['character', 'item', 'location']).meta({ id: 'TrashKind' });

export const TrashQuery = z.strictObject({
  kind: TrashKind.optional().meta({ description: 'Only deleted rows of this kind' }),
  cursor: z.string().regex(CURSOR_PATTERN, NOT_A_CURSOR).optional().meta({
    description:
      'page.nextCursor of the previous page, with the same filters; absent for the first page',
  }),
  limit: PageQuery.limit,
});

export const TrashEntry = z
  .object({
    kind: TrashKind,
    id: z.number().int().meta({ description: 'The id it had, and gets back when restored' }),
    name: z.string().nullable().meta({ description: 'Its name when deleted' }),
    deletedAt: z.iso.datetime().meta({ description: 'UTC, with microseconds' }),
    deletedBy: nullable(UserSummary).meta({
      description: 'null: unknown (a delete from outside the app) or a user deleted since',
    }),
  })
  .meta({ id: 'TrashEntry' });

export const TrashList = z
  .object({
    data: z.array(TrashEntry),
    page: z.object({
      nextCursor: z.string().nullable().meta({ description: 'null on the last page' }),
    }),
  })
  .meta({ id: 'TrashList' });

export const RevertParams = z.strictObject({
  id: Id,
  entryId: z
    .string()
    .regex(/^[1-9][0-9]{0,18}$/, 'must be a history entry id (a positive integer)')
    .meta({ description: 'The id of an update entry of this row (GET .../history)' }),
});

export const RestoredCharacter = Character.extend({
  ownerReassigned: z
    .object({
      previousPlayerOwnerId: z.number().int(),
    })
    .nullable()
    .meta({
      description:
        "Set when the player who owned it had left the campaign: the character now belongs to the OWNER or GM who restored it. Not part of the ETag, which is the character's as GET shows it",
    }),
}).meta({ id: 'RestoredCharacter' });
