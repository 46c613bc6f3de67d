// Adds items.modified_by (items.created_by existed before): nullable, no default
// (catalog-only, no rewrite), one short transaction with a short
// lock_timeout. Filled by the backfill migration; the foreign key to users
// (ON DELETE SET NULL) and indexes are added after it.
// Down: archives the values the backfill would not derive again (see
// audit-archive.ts), then drops the column.
import type { QueryInterface } from 'sequelize';
import { addAuditColumns, dropAuditColumns } from '../app/audit/migration-steps';
import { items } from '../app/registry';
import { AUDIT_DERIVATIONS } from '../app/db/migration-lib/v1/audit-backfill';
import type { MigrationMeta } from '../app/db/migration-meta';

export const meta: MigrationMeta = {
  transactional: true,
  table: 'items',
  kind: 'schema',
  audit: 'columns',
};

export async function up(queryInterface: QueryInterface): Promise<void> {
  await addAuditColumns(queryInterface, items);
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await dropAuditColumns(queryInterface, items, (column) => AUDIT_DERIVATIONS.items[column]!);
}
