import { HISTORY_SETTINGS } from '../db/history-settings';
import { CAPTURE_FUNCTION } from './capture-sql';
import { HISTORY_TABLE, UNRECORDED_COLUMNS } from './captured-table';

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
  const unrecorded = `'{${UNRECORDED_COLUMNS.join(',')}}'::text[]`;
  const { action: actionSetting, revertOf: revertSetting } = HISTORY_SETTINGS;
  return `CREATE OR REPLACE FUNCTION ${CAPTURE_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    before_row jsonb;
    after_row jsonb;
    row_data jsonb;
    changes jsonb;
    entry_action text;
    entry_revert_of bigint;
  BEGIN
    IF TG_OP = 'UPDATE' THEN
      before_row := to_jsonb(OLD) - ${unrecorded};
      after_row := to_jsonb(NEW) - ${unrecorded};
      IF before_row = after_row THEN
        RETURN NULL;
      END IF;
      row_data := after_row;
      SELECT jsonb_object_agg(a.key, jsonb_build_object('from', before_row -> a.key, 'to', a.value))
        INTO changes
        FROM jsonb_each(after_row) a
       WHERE (before_row -> a.key) IS DISTINCT FROM a.value;
      entry_action := 'update';
      entry_revert_of := ${setting(revertSetting)}::bigint;
      IF entry_revert_of IS NOT NULL THEN
        PERFORM set_config('${revertSetting}', '', true);
      END IF;
    ELSIF TG_OP = 'INSERT' THEN
      row_data := to_jsonb(NEW);
      SELECT jsonb_object_agg(key, jsonb_build_object('from', NULL, 'to', value))
        INTO changes FROM jsonb_each(row_data);
      entry_action := 'create';
      IF ${setting(actionSetting)} = 'restore' THEN
        entry_action := 'restore';
        PERFORM set_config('${actionSetting}', '', true);
      END IF;
    ELSE
      row_data := to_jsonb(OLD);
      SELECT jsonb_object_agg(key, jsonb_build_object('from', value, 'to', NULL))
        INTO changes FROM jsonb_each(row_data);
      entry_action := 'delete';
    END IF;
    INSERT INTO ${HISTORY_TABLE}
           (table_name, row_id, campaign_id, action, actor_id, request_id, source, changes, revert_of)
    VALUES (TG_TABLE_NAME, (row_data ->> 'id')::integer, (row_data ->> TG_ARGV[0])::integer,
            entry_action,
            ${setting(HISTORY_SETTINGS.actor)}::integer,
            ${setting(HISTORY_SETTINGS.requestId)},
            ${setting(HISTORY_SETTINGS.source)},
            changes, entry_revert_of);
    RETURN NULL;
  END $$`;
}
