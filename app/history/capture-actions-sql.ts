import { HISTORY_SETTINGS } from '../db/history-settings';
import { captureFunctionSql } from './capture-sql';

/*
 * The second version of the capture function (the first, in capture-sql.ts,
 * is what released migrations install and stays as it is). Besides the
 * actor, request id and source, it reads two settings a history action sets
 * in its transaction (app/services/history-actions/):
 *
 * - `gma.action` = `restore`: the INSERT that brings a deleted row back is
 *   recorded with action `restore` (the whole row, from null, like a create);
 * - `gma.revert_of` = an entry id: the UPDATE that reverts that entry keeps
 *   it in the new entry's `revert_of` column.
 *
 * Each is consumed by the first write it applies to (set back to empty), so
 * a later write of the same transaction is recorded as what it is. Any other
 * value of `gma.action` is ignored: a setting cannot make an entry lie about
 * the operation the database saw.
 */

const setting = (name: string) => `NULLIF(current_setting('${name}', true), '')`;

/** The capture function that also records restores and reverts. */
export function captureWithActionsSql(): string {
  const { action: actionSetting, revertOf: revertSetting } = HISTORY_SETTINGS;
  return captureFunctionSql({
    declare: `
    entry_action text;
    entry_revert_of bigint;`,
    onUpdate: `
      entry_action := 'update';
      entry_revert_of := ${setting(revertSetting)}::bigint;
      IF entry_revert_of IS NOT NULL THEN
        PERFORM set_config('${revertSetting}', '', true);
      END IF;`,
    onInsert: `
      entry_action := 'create';
      IF ${setting(actionSetting)} = 'restore' THEN
        entry_action := 'restore';
        PERFORM set_config('${actionSetting}', '', true);
      END IF;`,
    onDelete: `
      entry_action := 'delete';`,
    action: 'entry_action',
    columns: ', revert_of',
    values: ', entry_revert_of',
  });
}
