// Adds characters.created_by and characters.modified_by: nullable, no
// default (catalog-only, no rewrite), one short transaction with a short
// lock_timeout. Filled by the backfill migration; foreign keys to users
// (ON DELETE SET NULL) and indexes are added after it.
// Down: archives the columns' values (see audit-archive.ts), then drops them.
import type { QueryInterface } from 'sequelize';
import { addAuditColumns, dropAuditColumns } from '../app/db/migration-helpers/audit-columns';

const TABLE = 'characters';

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
  await dropAuditColumns(queryInterface, TABLE, ['created_by', 'modified_by']);
}
