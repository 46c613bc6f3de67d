import type { Model } from 'sequelize';
import type { Character, Item, Location, User } from '../../models';
import { AUDIT_USER_ATTRIBUTES, type AuditUserSummary } from '../../models/mixins/audit-queries';
import type { AuditAttributes } from '../../models/mixins/audited';
import type { CampaignAccess } from '../services/campaign-access';
import type { ListPage } from '../services/content-list';
import type { InvitationView } from '../services/invitation-service';
import type { MemberWithUser } from '../services/membership-service';

// Models to JSON bodies: camelCase, ISO dates, never a password hash.

/** The public columns of a user (`{ id, username, displayName }`), or null (none, or deleted). */
export function userSummary(user: AuditUserSummary | null | undefined): AuditUserSummary | null {
  if (!user) return null;
  // A loaded User, or the same columns read by SQL (history): only these are copied.
  return Object.fromEntries(
    AUDIT_USER_ATTRIBUTES.map((attribute) => [attribute, user[attribute]]),
  ) as AuditUserSummary;
}

/** The caller's own account. */
export function presentAccount(user: User) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    displayName: user.displayName,
    createdAt: user.createdAt.toISOString(),
  };
}

/** A campaign with the caller's role in it. */
export function presentCampaign({ campaign, role }: CampaignAccess) {
  return {
    id: campaign.id,
    name: campaign.name,
    description: campaign.description,
    gameSystem: campaign.gameSystem,
    ownerId: campaign.ownerId,
    playersCanCreateContent: campaign.playersCanCreateContent,
    role,
    ...presentAuditFields(campaign),
  };
}

/** A member of a campaign. */
export function presentMember(member: MemberWithUser) {
  return {
    userId: member.userId,
    username: member.user.username,
    displayName: member.user.displayName,
    role: member.role,
    joinedAt: member.createdAt.toISOString(),
  };
}

/** A row of any audited model, loaded with its audit users (`auditUsersInclude`). */
type AuditedRow = Model & AuditAttributes & { createdAt: Date; updatedAt: Date };

/** `createdBy`, `modifiedBy` (user summaries or null), `createdAt` and `updatedAt` of an audited row. */
export function presentAuditFields(row: AuditedRow) {
  return {
    createdBy: userSummary(row.get('createdByUser') as User | undefined),
    modifiedBy: userSummary(row.get('modifiedByUser') as User | undefined),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A character with its player and audit users embedded. */
export function presentCharacter(character: Character) {
  return {
    id: character.id,
    campaignId: character.campaignId,
    name: character.name,
    description: character.description,
    gameSystem: character.gameSystem,
    playerOwnerId: character.playerOwnerId,
    playerOwner: userSummary(character.get('playerOwner') as User | undefined),
    ...presentAuditFields(character),
  };
}

/** An item or a location with its audit users embedded. */
export function presentThing(row: Item | Location) {
  return {
    id: row.id,
    campaignId: row.campaignId,
    name: row.name,
    description: row.description,
    ...presentAuditFields(row),
  };
}

/** A list page: `{ data, page: { limit, offset, nextOffset } }`. */
export function presentPage<T, R>(page: ListPage<T>, present: (row: T) => R) {
  return {
    data: page.rows.map(present),
    page: { limit: page.limit, offset: page.offset, nextOffset: page.nextOffset },
  };
}

/** An invitation as the inviter and the invitee see it. */
export function presentInvitation(invitation: InvitationView) {
  return {
    id: invitation.id,
    campaign: { id: invitation.campaign.id, name: invitation.campaign.name },
    username: invitation.invitee.username,
    role: invitation.role,
    invitedBy: invitation.inviter
      ? { username: invitation.inviter.username, displayName: invitation.inviter.displayName }
      : null,
    expiresAt: invitation.expiresAt.toISOString(),
    createdAt: invitation.createdAt.toISOString(),
  };
}
