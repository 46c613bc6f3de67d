import { CREATOR_ELSE_CAMPAIGN_OWNER } from '../rules';
import { declareTable } from '../table-declaration';

/** Locations: created_by existed before (and may be NULL); modified_by is added. */
export const locations = declareTable({
  table: 'locations',
  kind: 'location',
  campaignColumn: 'campaign_id',
  columns: {
    created_by: { existedBefore: true },
    modified_by: {
      comment:
        'User who last modified the location (users.id); NULL if unknown or the user was deleted.',
    },
  },
  rule: CREATOR_ELSE_CAMPAIGN_OWNER,
});
