// Adds characters.created_by and characters.modified_by: nullable, no
// default (catalog-only, no rewrite), one short transaction with a short
// lock_timeout. Filled by the backfill migration; foreign keys to users
// (ON DELETE SET NULL) and indexes are added after it.
// Down: archives the values the backfill would not derive again (see
// audit-archive.ts), then drops the columns.
import type { QueryInterface } from 'sequelize';
import { AUDIT_DERIVATIONS } from '../app/db/migration-helpers/audit-backfill';
import { addAuditColumns, dropAuditColumns } from '../app/db/migration-helpers/audit-columns';
import type { MigrationMeta } from '../app/db/migration-meta';

const TABLE = 'characters' as const;

export const meta: MigrationMeta = {
  transactional: true,
  table: 'characters',
  kind: 'schema',
  audit: 'columns',
};

export async function up(queryInterface: QueryInterface): Promise<void> {
  await addAuditColumns(queryInterface, TABLE, [
    {
      name: 'created_by',
      comment:
        'User who created the character (users.id); NULL if unknown or the user was deleted.',
    },
    {
      name: 'modified_by',
      comment:
        'User who last modified the character (users.id); NULL if unknown or the user was deleted.',
    },
  ]);
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await dropAuditColumns(queryInterface, TABLE, AUDIT_DERIVATIONS[TABLE]);
}
