// A row the previous app version updated after its audit columns existed but
// before the backfill reached it was then given the rule's modifier, who did
// not make that change. The history has the update on record with no actor;
// this pass sets modified_by back to NULL (unknown) on such rows where it
// still holds the rule's value (see app/audit/cleared-modifiers.ts).
// Resumable batches of candidate ids, locking only the rows cleared; finds
// nothing where no previous version wrote.
// Down: restores exactly the values it cleared.
import { clearUnattributedMigration } from '../app/audit/cleared-modifiers-steps';
import { campaigns } from '../app/registry';

export const { meta, up, down } = clearUnattributedMigration(campaigns);
