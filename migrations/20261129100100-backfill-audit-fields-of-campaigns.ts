// Backfill: campaigns.created_by = modified_by = owner_id (NULL where the
// owner's account was deleted), or the values a rollback archived. Keyset
// batches of about 50 ms, each its own transaction, touching only rows
// still NULL: an interrupted run resumes.
// Down: restores exactly the values the up wrote, as the app's runner
// recorded them (meta.fills), where the row still holds them; without a
// record (applied before the runner recorded fills, or by sequelize-cli) it
// changes nothing and says how many rows keep a value it may have written.
// (Until 2026-12 it did nothing; see docs/migrations.md, release record.)
import { auditBackfillMigration } from '../app/audit/migration-steps';
import { campaigns } from '../app/registry';

export const { meta, up, down } = auditBackfillMigration(campaigns);
