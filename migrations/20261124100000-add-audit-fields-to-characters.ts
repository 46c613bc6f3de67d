// Adds characters.created_by and characters.modified_by: nullable, no
// default (catalog-only, no rewrite), one short transaction with a short
// lock_timeout. Filled by the backfill migration; foreign keys to users
// (ON DELETE SET NULL) and indexes are added after it.
// Down: archives the values the backfill would not derive again (see
// audit-archive.ts), then drops the columns.
import type { QueryInterface } from 'sequelize';
import { addAuditColumns, dropAuditColumns } from '../app/audit/migration-steps';
import { characters } from '../app/registry';
import { AUDIT_DERIVATIONS } from '../app/db/migration-lib/v1/audit-backfill';
import type { MigrationMeta } from '../app/db/migration-meta';

export const meta: MigrationMeta = {
  transactional: true,
  table: 'characters',
  kind: 'schema',
  audit: 'columns',
};

export async function up(queryInterface: QueryInterface): Promise<void> {
  await addAuditColumns(queryInterface, characters);
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await dropAuditColumns(
    queryInterface,
    characters,
    (column) => AUDIT_DERIVATIONS.characters[column]!,
  );
}
