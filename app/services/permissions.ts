import type { CampaignRole } from '../../models';

// Who may do what inside a campaign. Pure functions of the caller's role, so
// the matrix can be read (and tested) in one place. Non-members never reach
// these: they get 404 before, so that a campaign's existence is not revealed.

const EDITORS: readonly CampaignRole[] = ['OWNER', 'GM'];

/** OWNER and GM edit everything in the campaign, including its settings. */
export function isEditor(role: CampaignRole): boolean {
  return EDITORS.includes(role);
}

/** Only an OWNER deletes the campaign. */
export function canDeleteCampaign(role: CampaignRole): boolean {
  return role === 'OWNER';
}

/** A PLAYER creates characters for themselves only; OWNER and GM for any member. */
export function canCreateCharacter(role: CampaignRole, callerId: number, ownerId: number): boolean {
  return isEditor(role) || (role === 'PLAYER' && ownerId === callerId);
}

/** A PLAYER edits and deletes only the characters they own. */
export function canEditCharacter(role: CampaignRole, callerId: number, ownerId: number): boolean {
  return isEditor(role) || (role === 'PLAYER' && ownerId === callerId);
}

/** Items and locations: OWNER and GM; a PLAYER only when the campaign allows it. */
export function canCreateItemOrLocation(role: CampaignRole, playersCanCreate: boolean): boolean {
  return isEditor(role) || (role === 'PLAYER' && playersCanCreate);
}

/** Changing or deleting items and locations is for OWNER and GM. */
export function canEditItemOrLocation(role: CampaignRole): boolean {
  return isEditor(role);
}

/**
 * Membership changes: an OWNER may grant or take away any role; a GM only
 * PLAYER and OBSERVER, on members who hold one of those.
 */
export function canManageMember(
  role: CampaignRole,
  targetRole: CampaignRole | undefined,
  newRole: CampaignRole | undefined,
): boolean {
  if (role === 'OWNER') return true;
  if (role !== 'GM') return false;
  const minor = (r: CampaignRole | undefined) =>
    r === undefined || r === 'PLAYER' || r === 'OBSERVER';
  return minor(targetRole) && minor(newRole);
}
