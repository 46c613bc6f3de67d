// Keeps the history of invitations (who invited whom; accepted, declined,
// revoked or replaced once expired): an AFTER ROW trigger on every insert,
// delete and update of a recorded column writes one entry in the same
// transaction, through the capture function the content's triggers call.
// One short transaction with a short lock_timeout (catalog only, no row
// read). Down drops the trigger; the entries stay.
import { captureOnlyMigration } from '../app/history/history-steps';
import { campaignInvitations } from '../app/registry';

export const { meta, up, down } = captureOnlyMigration(campaignInvitations);
