import { auditForeignKeys, singleColumnIndexes, type AuditedTableSpec } from '../audited-table';

/**
 * Locations: created_by existed before (and may be NULL); modified_by is added.
 * Both take the existing creator, else the campaign's owner.
 */
export const locations: AuditedTableSpec = {
  table: 'locations',
  columns: {
    created_by: { existedBefore: true },
    modified_by: {
      comment:
        'User who last modified the location (users.id); NULL if unknown or the user was deleted.',
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
  foreignKeys: auditForeignKeys('locations', ['modified_by']),
  indexes: singleColumnIndexes('locations', [
    'created_at',
    'updated_at',
    'created_by',
    'modified_by',
  ]),
  migrations: {
    columns: '20261124100200-add-audit-fields-to-locations.ts',
    triggers: '20261124100330-add-audit-triggers-to-locations.ts',
    backfill: '20261124100600-backfill-audit-fields-of-locations.ts',
    keys: '20261124100900-add-audit-foreign-keys-to-locations.ts',
    indexes: '20261124101200-index-audit-fields-of-locations.ts',
    catchUp: '20261129200200-catch-up-audit-fields-of-locations.ts',
  },
};
