// Keeps the history of campaigns: an AFTER ROW trigger on every insert, delete
// and update of a recorded column writes one entry in the same transaction.
// One short transaction with a short lock_timeout. Down drops the trigger;
// the entries stay.
import { captureMigration } from '../app/history/history-steps';
import { campaigns } from '../app/registry';

export const { meta, up, down } = captureMigration(campaigns);
