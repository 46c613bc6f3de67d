import { declareCapturedTable } from '../table-declaration';

/**
 * Invitations: captured, not audited. A row is a pending invitation; its
 * history tells who invited whom, and whether it was accepted, declined,
 * revoked or replaced once expired. Holds no secret: the invitee is a user
 * id (never an email), and accepting needs no token.
 */
export const campaignInvitations = declareCapturedTable({
  table: 'campaign_invitations',
  kind: 'invitation',
  campaignColumn: 'campaign_id',
  subjectColumn: 'user_id',
});
