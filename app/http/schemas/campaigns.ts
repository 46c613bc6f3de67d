import { z } from 'zod';
import { CAMPAIGN_ROLES } from '../../../models';
import { UPDATED_AT_NOTE } from './content';
import { Id, UserSummary, atLeastOneField, nullable, plainText, text } from './common';

export const Role = z.enum(CAMPAIGN_ROLES).meta({ id: 'CampaignRole' });

const campaignFields = {
  name: text(200),
  description: plainText(10_000),
  gameSystem: plainText(100).trim(),
  playersCanCreateContent: z
    .boolean()
    .meta({ description: 'Players may create items and locations (default false)' }),
};

export const CreateCampaignBody = z
  .strictObject({
    name: campaignFields.name,
    description: campaignFields.description.optional(),
    gameSystem: campaignFields.gameSystem.optional(),
    playersCanCreateContent: campaignFields.playersCanCreateContent.optional(),
  })
  .meta({ id: 'CreateCampaignRequest' });

export const UpdateCampaignBody = atLeastOneField(
  z.strictObject({
    name: campaignFields.name.optional(),
    description: campaignFields.description.optional(),
    gameSystem: campaignFields.gameSystem.optional(),
    playersCanCreateContent: campaignFields.playersCanCreateContent.optional(),
  }),
).meta({ id: 'UpdateCampaignRequest' });

export const Campaign = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    gameSystem: z.string(),
    ownerId: z.number().int().nullable(),
    playersCanCreateContent: z.boolean(),
    role: Role.meta({ description: "The caller's role in this campaign" }),
    createdBy: nullable(UserSummary),
    modifiedBy: nullable(UserSummary),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime().nullable().meta({ description: UPDATED_AT_NOTE }),
  })
  .meta({ id: 'Campaign' });

export const CampaignList = z.object({ data: z.array(Campaign) }).meta({ id: 'CampaignList' });

export const MemberParams = z.strictObject({ id: Id, userId: Id });

export const UpdateMemberBody = z.strictObject({ role: Role }).meta({ id: 'UpdateMemberRequest' });

export const Member = z
  .object({
    userId: z.number().int(),
    username: z.string(),
    displayName: z.string(),
    role: Role,
    joinedAt: z.iso.datetime(),
  })
  .meta({ id: 'Member' });

export const MemberList = z.object({ data: z.array(Member) }).meta({ id: 'MemberList' });
