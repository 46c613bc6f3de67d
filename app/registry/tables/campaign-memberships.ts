import { declareCapturedTable } from '../table-declaration';

/**
 * Memberships: captured, not audited. A row is who is in a campaign with
 * which role; its history tells who joined, changed a role, was removed or
 * left. Holds no secret: ids, the role and the timestamps.
 */
export const campaignMemberships = declareCapturedTable({
  table: 'campaign_memberships',
  kind: 'member',
  campaignColumn: 'campaign_id',
  subjectColumn: 'user_id',
});
