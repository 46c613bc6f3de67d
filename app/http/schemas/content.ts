import { z } from 'zod';
import {
  BodyId,
  Id,
  Page,
  PageQuery,
  Timestamp,
  UserSummary,
  atLeastOneField,
  nullable,
  plainText,
  text,
} from './common';

export const SORTS = ['-updatedAt', 'updatedAt', '-createdAt', 'createdAt'] as const;
export type Sort = (typeof SORTS)[number];

/** Filters, sort and page shared by the character, item and location lists. */
const listQuery = {
  campaignId: Id.optional().meta({ description: 'Only this campaign (default: all of yours)' }),
  createdBy: Id.optional().meta({ description: 'Only rows created by this user id' }),
  modifiedBy: Id.optional().meta({ description: 'Only rows last modified by this user id' }),
  createdAfter: Timestamp.optional(),
  createdBefore: Timestamp.optional(),
  updatedAfter: Timestamp.optional(),
  updatedBefore: Timestamp.optional(),
  q: plainText(100)
    .min(1)
    .max(100)
    .optional()
    .meta({ description: 'Name contains (case-insensitive)' }),
  sort: z.enum(SORTS).default('-updatedAt'),
  ...PageQuery,
};

/** Why updatedAt may be null: only a row as it was (asOf, snapshot) can lack it. */
export const UPDATED_AT_NOTE =
  'Always set, except as it was (asOf, snapshot) for a row from before the history, changed since: unknown';

const auditFields = {
  createdBy: nullable(UserSummary),
  modifiedBy: nullable(UserSummary),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime().nullable().meta({ description: UPDATED_AT_NOTE }),
};

const name = text(100);
const description = plainText(10_000);
const gameSystem = plainText(100).trim();

export const CharacterListQuery = z.strictObject({
  ...listQuery,
  playerOwnerId: Id.optional().meta({ description: "Only this player's characters" }),
});

export const CreateCharacterBody = z
  .strictObject({
    campaignId: BodyId,
    name,
    description: description.optional(),
    gameSystem: gameSystem.optional(),
    playerOwnerId: BodyId.optional().meta({
      description: 'A member of the campaign; default: the caller',
    }),
  })
  .meta({ id: 'CreateCharacterRequest' });

export const UpdateCharacterBody = atLeastOneField(
  z.strictObject({
    name: name.optional(),
    description: description.optional(),
    gameSystem: gameSystem.optional(),
    playerOwnerId: BodyId.optional(),
  }),
).meta({ id: 'UpdateCharacterRequest' });

export const Character = z
  .object({
    id: z.number().int(),
    campaignId: z.number().int(),
    name: z.string(),
    description: z.string(),
    gameSystem: z.string(),
    playerOwnerId: z.number().int(),
    playerOwner: nullable(UserSummary),
    ...auditFields,
  })
  .meta({ id: 'Character' });

export const CharacterList = z
  .object({ data: z.array(Character), page: Page })
  .meta({ id: 'CharacterList' });

export const ContentListQuery = z.strictObject(listQuery);

/** Items and locations share one shape. */
function campaignThing(kind: 'Item' | 'Location') {
  return {
    create: z
      .strictObject({
        campaignId: BodyId,
        name,
        description: description.optional(),
      })
      .meta({ id: `Create${kind}Request` }),
    update: atLeastOneField(
      z.strictObject({ name: name.optional(), description: description.optional() }),
    ).meta({ id: `Update${kind}Request` }),
    resource: z
      .object({
        id: z.number().int(),
        campaignId: z.number().int(),
        name: z.string(),
        description: z.string(),
        ...auditFields,
      })
      .meta({ id: kind }),
  };
}

export const ItemSchemas = campaignThing('Item');
export const LocationSchemas = campaignThing('Location');
export const ItemList = z
  .object({ data: z.array(ItemSchemas.resource), page: Page })
  .meta({ id: 'ItemList' });
export const LocationList = z
  .object({ data: z.array(LocationSchemas.resource), page: Page })
  .meta({ id: 'LocationList' });
