// Triggers on items for writes that do not come through the models (a
// previous app version during a rolling upgrade, raw SQL): an INSERT that
// leaves an audit column NULL gets the backfill rule's value; an UPDATE that
// changes the row without naming modified_by sets it to NULL (unknown), never
// a stale modifier. See app/audit/trigger-sql.ts. Installed before the
// backfill, so no write escapes between the two. One short transaction with
// a short lock_timeout.
// Down: drops the triggers and their functions.
import { auditTriggersMigration } from '../app/audit/migration-steps';
import { items } from '../app/registry';

export const { meta, up, down } = auditTriggersMigration(items);
