// history_entries.revert_of: the entry a revert undid, NULL otherwise.
// Nullable, no default: catalog only, under a short lock_timeout. Down drops
// it, refusing while an entry holds a value (--discard-data drops them).
// See app/history/history-action-steps.ts.
import { revertOfColumnMigration } from '../app/history/history-action-steps';

export const { meta, up, down } = revertOfColumnMigration();
