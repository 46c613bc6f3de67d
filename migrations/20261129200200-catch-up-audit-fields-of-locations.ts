// Catch-up: the backfill of locations ran before its triggers existed, so rows a
// previous app version inserted after the backfill had passed them may still
// hold NULL audit fields. This pass fills them by the same rule, in the same
// resumable keyset batches; on a database migrated in one go it finds nothing.
// Down: restores exactly the values the up wrote (and its log entries), as
// the app's runner recorded them (meta.fills), where the row still holds
// them. Without a record (applied before the runner recorded fills, or by
// sequelize-cli) it reverts the logged created_by fills of the table, as it
// did before, and says how many rows keep a modifier it may have written.
// (Until 2026-12 it only did the latter; see docs/migrations.md, release record.)
import { auditBackfillMigration } from '../app/audit/migration-steps';
import { locations } from '../app/registry';

export const { meta, up, down } = auditBackfillMigration(locations, 'catch-up');
