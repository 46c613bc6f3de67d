import type { Character, Item, Location, User } from '../../models';
import type { CampaignAccess } from '../services/campaign-access';
import type { ListPage } from '../services/content-list';
import type { InvitationView } from '../services/invitation-service';
import type { MemberWithUser } from '../services/membership-service';

// Models to JSON bodies: camelCase, ISO dates, never a password hash.

type UserSummary = { id: number; username: string; displayName: string } | null;

/** `{ id, username, displayName }` of a user, or null (none, or deleted). */
export function userSummary(user: User | null | undefined): UserSummary {
  return user ? { id: user.id, username: user.username, displayName: user.displayName } : null;
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
    createdAt: campaign.createdAt.toISOString(),
    updatedAt: campaign.updatedAt.toISOString(),
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

function auditFields(row: Character | Item | Location) {
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
    ...auditFields(character),
  };
}

/** An item or a location with its audit users embedded. */
export function presentThing(row: Item | Location) {
  return {
    id: row.id,
    campaignId: row.campaignId,
    name: row.name,
    description: row.description,
    ...auditFields(row),
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
