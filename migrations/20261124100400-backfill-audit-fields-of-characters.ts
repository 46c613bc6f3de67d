// Backfill: characters.created_by = modified_by = player_owner_id (or the
// value a rollback archived). NOT one transaction: keyset batches of about
// 50 ms, each committed on its own, touching only rows still NULL, so it
// can be interrupted and re-run (it resumes). Progress goes to stderr.
// Down: restores exactly the values the up wrote, as the app's runner
// recorded them (meta.fills), where the row still holds them; a value the app
// changed since stays. Without a record (an up applied before the runner
// recorded fills, or by sequelize-cli), it changes nothing and says how many
// rows keep a value it may have written: the columns' down archives them.
// (Until 2026-12 this down was empty; see docs/migrations.md, release record.)
import type { QueryInterface } from 'sequelize';
import { backfillAuditFields, undoBackfill } from '../app/db/migration-lib/v1/audit-backfill';
import type { MigrationMeta } from '../app/db/migration-meta';

export const meta: MigrationMeta = {
  transactional: false,
  table: 'characters',
  kind: 'backfill',
  audit: 'backfill',
  fills: 'audit-columns',
};

export async function up(queryInterface: QueryInterface): Promise<void> {
  await backfillAuditFields(queryInterface, 'characters');
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await undoBackfill(queryInterface, 'characters');
}
