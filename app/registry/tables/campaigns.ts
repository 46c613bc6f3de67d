import { declareTable } from '../table-declaration';

/** Campaigns: both audit columns added; both take the campaign's owner (NULL once deleted). */
export const campaigns = declareTable({
  table: 'campaigns',
  kind: 'campaign',
  campaignColumn: 'id',
  columns: {
    created_by: {
      comment: 'User who created the campaign (users.id); NULL if unknown or the user was deleted.',
    },
    modified_by: {
      comment:
        'User who last modified the campaign (users.id); NULL if unknown or the user was deleted.',
    },
  },
  rule: {
    source: 't.owner_id',
    inputs: [{ column: 'owner_id', target: 'users' }],
    summary: "created_by = modified_by = owner_id (NULL where the owner's account was deleted)",
  },
});
