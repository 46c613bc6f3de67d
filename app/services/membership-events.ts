/*
 * What the history records as the `source` of the writes of memberships and
 * invitations, by what happened. The capture sees only a create, an update
 * or a delete; deleting an invitation means it was accepted, declined,
 * revoked or replaced, which the row cannot tell. The services name it
 * (withHistorySource), so the history, the activity and db:history say it.
 *
 *   event    kind        action            actor
 *   invite   invitation  create            the inviter
 *   expire   invitation  delete            the inviter of its replacement
 *   accept   invitation  delete, and       the invitee
 *            member      create
 *   decline  invitation  delete            the invitee
 *   revoke   invitation  delete            the member who revoked it
 *   role     member      update (role)     the member who changed it
 *   remove   member      delete            the member who removed them
 *   leave    member      delete            the member who left
 *
 * Any other source on these kinds is the context's own (http, cli, seed...):
 * the OWNER's membership made with the campaign (create), deletes cascaded
 * from a campaign's or an account's deletion. The campaign update that moves
 * its owner when an OWNER leaves or steps down keeps the context's source.
 */

/** The events of memberships and invitations, as the history's `source` records them. */
export const MEMBERSHIP_EVENTS = [
  'invite',
  'expire',
  'accept',
  'decline',
  'revoke',
  'role',
  'remove',
  'leave',
] as const;

export type MembershipEvent = (typeof MEMBERSHIP_EVENTS)[number];
