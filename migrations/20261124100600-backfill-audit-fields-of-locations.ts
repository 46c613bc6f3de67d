// Backfill: locations.modified_by = created_by; where created_by is NULL both
// take the campaign owner (left NULL if the owner was deleted), and that
// write to the pre-existing created_by is noted in audit_backfill_log.
// Archived values from a rollback win over the rule. NOT one transaction:
// keyset batches of about 50 ms, each committed on its own, touching only
// rows still NULL, so it can be interrupted and re-run. Progress: stderr.
// Down: restores exactly the values the up wrote (created_by, modified_by
// and its log entries), as the app's runner recorded them (meta.fills),
// where the row still holds them; a value the app changed since stays.
// Without a record (an up applied before the runner recorded fills, or by
// sequelize-cli), it reverts the created_by values listed in the log (only
// where unchanged since, archiving them for a re-apply), as it did before,
// and says how many rows keep a modifier it may have written.
// (Until 2026-12 it only did the latter; see docs/migrations.md, release record.)
import type { QueryInterface } from 'sequelize';
import { backfillAuditFields, undoBackfill } from '../app/db/migration-lib/v1/audit-backfill';
import type { MigrationMeta } from '../app/db/migration-meta';

export const meta: MigrationMeta = {
  transactional: false,
  table: 'locations',
  kind: 'backfill',
  audit: 'backfill',
  fills: 'audit-columns',
};

export async function up(queryInterface: QueryInterface): Promise<void> {
  await backfillAuditFields(queryInterface, 'locations');
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await undoBackfill(queryInterface, 'locations');
}
