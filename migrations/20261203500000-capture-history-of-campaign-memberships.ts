// Keeps the history of memberships (who joined, changed a role, was removed
// or left): an AFTER ROW trigger on every insert, delete and update of a
// recorded column writes one entry in the same transaction, through the
// capture function the content's triggers call. One short transaction with a
// short lock_timeout (catalog only, no row read). Down drops the trigger;
// the entries stay.
import { captureOnlyMigration } from '../app/history/history-steps';
import { campaignMemberships } from '../app/registry';

export const { meta, up, down } = captureOnlyMigration(campaignMemberships);
