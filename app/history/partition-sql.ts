import { HISTORY_DEFAULT_PARTITION, HISTORY_TABLE } from './captured-table';

/*
 * The history is partitioned by month of `at` (UTC), so old entries go by
 * dropping whole partitions, never by a long DELETE. Partitions are made
 * ahead of time (by the migration, at server start and daily, and by the
 * prune command), never on the write path; a default partition catches
 * anything outside them, so a write never fails for want of one.
 *
 * A new partition is made as a plain table and then ATTACHed: ATTACH takes
 * SHARE UPDATE EXCLUSIVE on the history, which writers do not wait for
 * (CREATE TABLE ... PARTITION OF would take ACCESS EXCLUSIVE). It scans the
 * default partition, which is empty in normal operation.
 */

export const ENSURE_PARTITIONS_FUNCTION = 'gma_history_ensure_partitions';

/** Name of the monthly partition holding `month` (any instant of it, UTC). */
export function partitionName(month: Date): string {
  const y = month.getUTCFullYear();
  const m = String(month.getUTCMonth() + 1).padStart(2, '0');
  return `${HISTORY_TABLE}_p${y}${m}`;
}

/**
 * A function that makes the monthly partitions covering [from, to], those
 * missing; returns how many it made. Concurrent callers are fine: one makes
 * each partition, the others find it. It gives up on a partition whose lock
 * is not granted within 200 ms (a later call makes it), so a caller never
 * queues writers behind it for long.
 */
export function ensurePartitionsFunctionSql(): string {
  return `CREATE OR REPLACE FUNCTION ${ENSURE_PARTITIONS_FUNCTION}(from_at timestamptz, to_at timestamptz)
  RETURNS integer LANGUAGE plpgsql AS $$
  DECLARE
    month timestamptz := date_trunc('month', from_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    next_month timestamptz;
    name text;
    made integer := 0;
  BEGIN
    PERFORM set_config('lock_timeout', '200', true);
    WHILE month <= to_at LOOP
      next_month := month + interval '1 month';
      name := '${HISTORY_TABLE}_p' || to_char(month AT TIME ZONE 'UTC', 'YYYYMM');
      IF to_regclass(quote_ident(name)) IS NULL THEN
        BEGIN
          EXECUTE format('CREATE TABLE %I (LIKE ${HISTORY_TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
          EXECUTE format('ALTER TABLE ${HISTORY_TABLE} ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                         name, month, next_month);
          made := made + 1;
        EXCEPTION WHEN duplicate_table OR unique_violation OR lock_not_available THEN
          NULL;
        END;
      END IF;
      month := next_month;
    END LOOP;
    RETURN made;
  END $$`;
}

/** Makes the partitions from this month to `monthsAhead` months on; one row, `made`. */
export function ensurePartitionsAheadSql(monthsAhead: number): string {
  return `SELECT ${ENSURE_PARTITIONS_FUNCTION}(now(), now() + interval '${Math.trunc(monthsAhead)} months') AS made`;
}

/** The monthly partitions, oldest first, with their bounds (not the default one). */
export const LIST_PARTITIONS_SQL = `
  SELECT c.relname AS name,
         (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz AS starts,
         (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS ends
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
   WHERE i.inhparent = to_regclass('${HISTORY_TABLE}') AND c.relname <> '${HISTORY_DEFAULT_PARTITION}'
   ORDER BY 2`;
