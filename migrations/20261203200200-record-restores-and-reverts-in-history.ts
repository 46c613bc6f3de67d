// The capture function's second version: it also reads the two settings a
// restore (`gma.action`) and a revert (`gma.revert_of`) set in their
// transaction, and records action `restore` and `revert_of`. Down puts back
// the first version. See app/history/capture-actions-sql.ts.
import { captureWithActionsMigration } from '../app/history/history-action-steps';

export const { meta, up, down } = captureWithActionsMigration();
