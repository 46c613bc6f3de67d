import { declareTable } from '../table-declaration';

/**
 * Items: created_by existed before (and may be NULL); modified_by is added.
 * Both take the existing creator, else the campaign's owner.
 */
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
  rule: {
    source: 'c.owner_id',
    joins: 'LEFT JOIN campaigns c ON c.id = t.campaign_id',
    inputs: [
      { column: 'campaign_id', target: 'campaigns' },
      { column: 'created_by', target: 'users' },
    ],
    summary: 'modified_by = created_by; where created_by is NULL, both take the campaign owner',
  },
});
