import { auditForeignKeys, singleColumnIndexes, type AuditedTableSpec } from '../audited-table';

/**
 * Items: created_by existed before (and may be NULL); modified_by is added.
 * Both take the existing creator, else the campaign's owner.
 */
export const items: AuditedTableSpec = {
  table: 'items',
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
  foreignKeys: auditForeignKeys('items', ['modified_by']),
  indexes: singleColumnIndexes('items', ['created_at', 'updated_at', 'created_by', 'modified_by']),
  migrations: {
    columns: '20261124100100-add-audit-fields-to-items.ts',
    triggers: '20261124100320-add-audit-triggers-to-items.ts',
    backfill: '20261124100500-backfill-audit-fields-of-items.ts',
    keys: '20261124100800-add-audit-foreign-keys-to-items.ts',
    indexes: '20261124101100-index-audit-fields-of-items.ts',
    catchUp: '20261129200100-catch-up-audit-fields-of-items.ts',
  },
};
