import { HISTORY_SETTINGS } from '../db/history-settings';
import { ident } from '../db/sql-identifier';
import { HISTORY_TABLE, UNRECORDED_COLUMNS, type CapturedTable } from './captured-table';

/*
 * The database keeps the history itself: one AFTER ROW trigger per captured
 * table, so every write is seen, whoever makes it (the app, a previous app
 * version, SQL by hand), and the entry commits or rolls back with the change.
 * The actor, request id and source come from transaction-local settings the
 * app sets with its writes (models/mixins/history-context.ts); without them
 * (any write from outside the app) they are NULL: unknown.
 *
 * An UPDATE trigger fires only for statements whose SET list names a column
 * other than the audit stamps and timestamps (UPDATE OF <those columns>), so
 * the audit backfills, catch-up passes and their rollbacks, which set only
 * created_by and modified_by, cost nothing and record nothing. An update that
 * changes no recorded value writes no entry.
 */

export const CAPTURE_FUNCTION = 'gma_history_capture';

/** Name of the table's capture trigger. */
export function captureTriggerName(table: string): string {
  return `${table}_history_capture`;
}

const setting = (name: string) => `NULLIF(current_setting('${name}', true), '')`;

/** What the second version of the capture function adds (capture-actions-sql.ts); empty in the first. */
export interface CaptureActions {
  declare: string;
  onUpdate: string;
  onInsert: string;
  onDelete: string;
  /** The value of `action`: the first version derives it from TG_OP. */
  action: string;
  columns: string;
  values: string;
}

const FIRST_VERSION: CaptureActions = {
  declare: '',
  onUpdate: '',
  onInsert: '',
  onDelete: '',
  action: "CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END",
  columns: '',
  values: '',
};

/**
 * The capture function, shared by every captured table; its one argument is
 * the column naming the row's campaign. `changes` is `{ column: { from, to } }`:
 * the changed columns for an update, the whole row for a create (from NULL)
 * or a delete (to NULL). Without `actions`, the first version's text exactly,
 * as released migrations install it.
 */
export function captureFunctionSql(actions: CaptureActions = FIRST_VERSION): string {
  const unrecorded = `'{${UNRECORDED_COLUMNS.join(',')}}'::text[]`;
  return `CREATE OR REPLACE FUNCTION ${CAPTURE_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    before_row jsonb;
    after_row jsonb;
    row_data jsonb;
    changes jsonb;${actions.declare}
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
       WHERE (before_row -> a.key) IS DISTINCT FROM a.value;${actions.onUpdate}
    ELSIF TG_OP = 'INSERT' THEN
      row_data := to_jsonb(NEW);
      SELECT jsonb_object_agg(key, jsonb_build_object('from', NULL, 'to', value))
        INTO changes FROM jsonb_each(row_data);${actions.onInsert}
    ELSE
      row_data := to_jsonb(OLD);
      SELECT jsonb_object_agg(key, jsonb_build_object('from', value, 'to', NULL))
        INTO changes FROM jsonb_each(row_data);${actions.onDelete}
    END IF;
    INSERT INTO ${HISTORY_TABLE}
           (table_name, row_id, campaign_id, action, actor_id, request_id, source, changes${actions.columns})
    VALUES (TG_TABLE_NAME, (row_data ->> 'id')::integer, (row_data ->> TG_ARGV[0])::integer,
            ${actions.action},
            ${setting(HISTORY_SETTINGS.actor)}::integer,
            ${setting(HISTORY_SETTINGS.requestId)},
            ${setting(HISTORY_SETTINGS.source)},
            changes${actions.values});
    RETURN NULL;
  END $$`;
}

/** The recorded columns of `table`: every column but the audit stamps and timestamps. */
export function recordedColumnsSql(table: string): { sql: string; params: string[] } {
  return {
    sql: `SELECT attname AS name FROM pg_attribute
           WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped
             AND attname <> ALL($2::text[])
           ORDER BY attnum`,
    params: [table, `{${UNRECORDED_COLUMNS.join(',')}}`],
  };
}

/** Installs the capture on one table (idempotent), given its recorded columns. */
export function installCaptureSql(
  spec: CapturedTable,
  recordedColumns: readonly string[],
): string[] {
  const trigger = ident(captureTriggerName(spec.table));
  const table = ident(spec.table);
  const columns = recordedColumns.map(ident).join(', ');
  return [
    `DROP TRIGGER IF EXISTS ${trigger} ON ${table}`,
    `CREATE TRIGGER ${trigger}
       AFTER INSERT OR DELETE OR UPDATE OF ${columns} ON ${table}
       FOR EACH ROW EXECUTE FUNCTION ${CAPTURE_FUNCTION}('${spec.campaignColumn}')`,
  ];
}

/** Removes the capture from one table (absent is fine); the history stays. */
export function removeCaptureSql(spec: CapturedTable): string[] {
  return [
    `DROP TRIGGER IF EXISTS ${ident(captureTriggerName(spec.table))} ON ${ident(spec.table)}`,
  ];
}
