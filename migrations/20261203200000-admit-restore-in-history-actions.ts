// The history's action CHECK admits `restore`, the entry written when a
// deleted character, item or location is brought back. Online: the wider
// CHECK is added NOT VALID, validated while writers go on, then takes the
// old one's name; each step under a short lock_timeout, re-run safely.
// Down swaps the narrower CHECK back; it refuses while `restore` entries
// exist (--discard-data keeps them, relabelled `create`).
// See app/history/history-action-steps.ts.
import { actionCheckMigration } from '../app/history/history-action-steps';

export const { meta, up, down } = actionCheckMigration();
