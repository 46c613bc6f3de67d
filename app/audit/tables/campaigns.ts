import { auditForeignKeys, singleColumnIndexes, type AuditedTableSpec } from '../audited-table';

/** Campaigns: both audit columns added; both take the campaign's owner (NULL once deleted). */
export const campaigns: AuditedTableSpec = {
  table: 'campaigns',
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
  foreignKeys: auditForeignKeys('campaigns', ['created_by', 'modified_by']),
  indexes: singleColumnIndexes('campaigns', [
    'created_at',
    'updated_at',
    'created_by',
    'modified_by',
  ]),
  migrations: {
    columns: '20261129100000-add-audit-fields-to-campaigns.ts',
    triggers: '20261129100050-add-audit-triggers-to-campaigns.ts',
    backfill: '20261129100100-backfill-audit-fields-of-campaigns.ts',
    keys: '20261129100200-add-audit-foreign-keys-to-campaigns.ts',
    indexes: '20261129100300-index-audit-fields-of-campaigns.ts',
  },
};
