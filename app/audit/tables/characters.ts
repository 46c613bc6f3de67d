import { auditForeignKeys, singleColumnIndexes, type AuditedTableSpec } from '../audited-table';

/** Characters: both audit columns added; both take the character's player. */
export const characters: AuditedTableSpec = {
  table: 'characters',
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
  foreignKeys: auditForeignKeys('characters', ['created_by', 'modified_by']),
  indexes: singleColumnIndexes('characters', [
    'created_at',
    'updated_at',
    'created_by',
    'modified_by',
  ]),
  migrations: {
    columns: '20261124100000-add-audit-fields-to-characters.ts',
    triggers: '20261124100310-add-audit-triggers-to-characters.ts',
    backfill: '20261124100400-backfill-audit-fields-of-characters.ts',
    keys: '20261124100700-add-audit-foreign-keys-to-characters.ts',
    indexes: '20261124101000-index-audit-fields-of-characters.ts',
    catchUp: '20261129200000-catch-up-audit-fields-of-characters.ts',
  },
};
