// Backfill: characters.created_by = modified_by = player_owner_id (or the
// value a rollback archived). NOT one transaction: keyset batches of about
// 50 ms, each committed on its own, touching only rows still NULL, so it
// can be interrupted and re-run (it resumes). Progress goes to stderr.
// Down: nothing to undo here. The up wrote only the new columns, and their
// values may since have been recorded by the app (real data): the schema
// down archives and then drops them.
import type { QueryInterface } from 'sequelize';
import { backfillAuditFields } from '../app/db/migration-lib/v1/audit-backfill';
import type { MigrationMeta } from '../app/db/migration-meta';

export const meta: MigrationMeta = {
  transactional: false,
  table: 'characters',
  kind: 'backfill',
  audit: 'backfill',
};

export async function up(queryInterface: QueryInterface): Promise<void> {
  await backfillAuditFields(queryInterface, 'characters');
}

export async function down(): Promise<void> {
  // Deliberately empty: see the header.
}
