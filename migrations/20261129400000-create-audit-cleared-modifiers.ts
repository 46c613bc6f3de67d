// Where the clear-unattributed-modifiers-of-* passes note each modifier they
// set back to NULL, so that their downs restore exactly those values. Empty
// table: one short transaction. Down drops it (refusing while it notes any).
import { clearedModifiersTableMigration } from '../app/audit/cleared-modifiers-steps';

export const { meta, up, down } = clearedModifiersTableMigration();
