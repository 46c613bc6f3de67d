import { declareTable } from '../table-declaration';

/** Characters: both audit columns added; both take the character's player. */
export const characters = declareTable({
  table: 'characters',
  kind: 'character',
  campaignColumn: 'campaign_id',
  columns: {
    created_by: {
      comment:
        'User who created the character (users.id); NULL if unknown or the user was deleted.',
    },
    modified_by: {
      comment:
        'User who last modified the character (users.id); NULL if unknown or the user was deleted.',
    },
  },
  rule: {
    source: 't.player_owner_id',
    inputs: [
      { column: 'campaign_id', target: 'campaigns' },
      { column: 'player_owner_id', target: 'users' },
    ],
    summary: 'created_by = modified_by = player_owner_id',
  },
});
