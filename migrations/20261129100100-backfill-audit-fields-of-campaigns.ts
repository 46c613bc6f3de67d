// Backfill: campaigns.created_by = modified_by = owner_id (NULL where the
// owner's account was deleted), or the values a rollback archived. Keyset
// batches of about 50 ms, each its own transaction, touching only rows
// still NULL: an interrupted run resumes.
// Down: nothing to revert (both columns are new; their down archives them).
import { auditBackfillMigration } from '../app/audit/migration-steps';
import { campaigns } from '../app/registry';

export const { meta, up, down } = auditBackfillMigration(campaigns);
