// The history's hash chain, step 3: the BEFORE INSERT row trigger on the
// partitioned history (cloned onto each partition, present and future), so
// every entry written from now on is hashed and linked, whoever writes it.
// One short transaction under a short lock_timeout with retries.
// Down: drops the trigger; the hashes written stay.
import { chainTriggerMigration } from '../app/history/chain-steps';

export const { meta, up, down } = chainTriggerMigration();
