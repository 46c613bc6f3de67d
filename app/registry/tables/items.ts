import { CREATOR_ELSE_CAMPAIGN_OWNER } from '../rules';
import { declareTable } from '../table-declaration';

/** Items: created_by existed before (and may be NULL); modified_by is added. */
export const items = declareTable({
  table: 'items',
  kind: 'item',
  campaignColumn: 'campaign_id',
  columns: {
    created_by: { existedBefore: true },
    modified_by: {
      comment:
        'User who last modified the item (users.id); NULL if unknown or the user was deleted.',
    },
  },
  rule: CREATOR_ELSE_CAMPAIGN_OWNER,
});
