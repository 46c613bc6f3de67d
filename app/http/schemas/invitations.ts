import { z } from 'zod';
import { Id } from './common';
import { Role } from './campaigns';

export const InviteBody = z
  .strictObject({
    username: z
      .string()
      .min(1)
      .max(150)
      .meta({ description: 'The account to invite, in any case' }),
    role: Role,
  })
  .meta({ id: 'InviteRequest' });

export const InvitationParams = z.strictObject({ id: Id, invitationId: Id });

export const Invitation = z
  .object({
    id: z.number().int(),
    campaign: z.object({ id: z.number().int(), name: z.string() }),
    username: z.string().meta({ description: 'The invitee' }),
    role: Role,
    invitedBy: z
      .object({ username: z.string(), displayName: z.string() })
      .nullable()
      .meta({ description: 'null when the inviting account was deleted' }),
    expiresAt: z.iso.datetime(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Invitation' });

export const InvitationList = z
  .object({ data: z.array(Invitation) })
  .meta({ id: 'InvitationList' });
