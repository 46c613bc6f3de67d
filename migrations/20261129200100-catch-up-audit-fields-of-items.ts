// Catch-up: the backfill of items ran before its triggers existed, so rows a
// previous app version inserted after the backfill had passed them may still
// hold NULL audit fields. This pass fills them by the same rule, in the same
// resumable keyset batches; on a database migrated in one go it finds nothing.
// Down: reverts the fills of a created_by that existed before, like the
// backfill's down (the columns' down archives the rest).
import { auditBackfillMigration } from '../app/audit/migration-steps';
import { items } from '../app/registry';

export const { meta, up, down } = auditBackfillMigration(items, 'catch-up');
