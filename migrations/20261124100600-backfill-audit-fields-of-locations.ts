// Backfill: locations.modified_by = created_by; where created_by is NULL both
// take the campaign owner (left NULL if the owner was deleted), and that
// write to the pre-existing created_by is noted in audit_backfill_log.
// Archived values from a rollback win over the rule. NOT one transaction:
// keyset batches of about 50 ms, each committed on its own, touching only
// rows still NULL, so it can be interrupted and re-run. Progress: stderr.
// Down: reverts exactly the created_by values the up wrote (listed in the
// log, and only where unchanged since), archiving them for a re-apply.
// modified_by is left to the schema down, which archives it.
import type { QueryInterface } from 'sequelize';
import { backfillAuditFields, revertCreatorFills } from '../app/db/migration-lib/v1/audit-backfill';
import type { MigrationMeta } from '../app/db/migration-meta';

export const meta: MigrationMeta = {
  transactional: false,
  table: 'locations',
  kind: 'backfill',
  audit: 'backfill',
};

export async function up(queryInterface: QueryInterface): Promise<void> {
  await backfillAuditFields(queryInterface, 'locations');
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await revertCreatorFills(queryInterface, 'locations');
}
