// The history's hash chain, step 1: two nullable bytea columns without
// default, hash and prev_hash (catalog only, short lock_timeout with
// retries). Entries already there keep NULL: the chain starts after them.
// Not one transaction; re-runnable from any point.
// Down: copies the hashed entries' (id, at, prev_hash, hash) to
// history_chain_archive.entries, then drops the columns; the next up puts
// them back and drops the copy (app/history/chain-steps.ts).
import { chainColumnsMigration } from '../app/history/chain-steps';

export const { meta, up, down } = chainColumnsMigration();
