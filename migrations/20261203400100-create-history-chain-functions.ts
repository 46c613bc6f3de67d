// The history's hash chain, step 2: the function hashing an entry (a
// canonical jsonb text of its non-null columns, `at` in UTC) and the
// trigger function linking a new entry to the previous one of its row.
// One transaction. Down: drops both.
import { chainFunctionsMigration } from '../app/history/chain-steps';

export const { meta, up, down } = chainFunctionsMigration();
