import type pg from 'pg';
import { ARCHIVE_TABLE, archiveExists, ensureArchive } from './audit-archive';
import { BACKFILL_LOG_TABLE } from './backfill-log';
import { runBatchedPass } from './batched-pass';
import { migrationLog } from './migration-log';
import { migrationTuning } from './tuning';
import { ident } from '../sql-identifier';

/*
 * What a migration that fills audit columns (meta.fills) wrote, recorded by
 * the app's runner around its up, so that its down restores exactly that.
 *
 * A released up never changes, so the record cannot be written by the up
 * itself. While the up runs, the runner keeps statement-level AFTER triggers
 * on the migration's table (and on the backfill log, when it exists) that
 * note, for every row a statement of the migration's own connections
 * changes (application_name 'gma-audit-migration', which only migrations
 * open, one at a time under the migration lock), the audit values before and
 * after, and the backfill log's value before and after. Each note commits
 * with the batch that made the change, so a killed up leaves a record of
 * exactly what it committed, and its re-run adds to it. Writes by any other
 * session during the up (the app, a previous version) are not the
 * migration's and are not noted: a row a previous version sets back to NULL
 * while the up runs, and which the up then fills, is noted like any other.
 * The archived values of the table (a rollback's, which the up consumes) are
 * copied before the up.
 *
 * The records live in their own schema, like the runner's history is its
 * own table: they are the runner's bookkeeping, not the app's data. The
 * schema is created with the history table (and again before a recorded up,
 * for callers that did not), never by a migration: the first migration that
 * fills runs long before any new migration could create it.
 *
 * The down (restoreRecordedFills) puts back each value it noted, only where
 * the row still holds the value the up wrote; a value changed since (a newer
 * real one) stays, and the down says how many. A database whose up ran
 * without the record (before this, or under sequelize-cli, which records
 * nothing) has no run: the down then does what it did before and says so.
 */

export const RECORD_SCHEMA = 'migration_fills';
const RUNS = `${RECORD_SCHEMA}.runs`;
const FILLS = `${RECORD_SCHEMA}.fills`;
const ARCHIVED = `${RECORD_SCHEMA}.archived`;
const TRIGGER = 'gma_record_fills';
const LOG_INSERT_TRIGGER = 'gma_record_fills_log_insert';
const LOG_UPDATE_TRIGGER = 'gma_record_fills_log_update';

/** Application name of the connections migrations open (migration-client.ts): only theirs are recorded. */
export const MIGRATION_APPLICATION_NAME = 'gma-audit-migration';
/** Application name of the runner's own connection that records. */
export const RECORDER_APPLICATION_NAME = 'gma-migration-recorder';

/**
 * Leads every statement the runner's recorder sends: it is the runner's
 * bookkeeping, like its history table, and the release transcripts leave it
 * out (app/ops/release/normalize-sql.ts), so recording leaves a released
 * up's transcript as it was.
 */
export const RECORDER_MARK = '/* migration runner: fill record */';
const mark = (sql: string) => `${RECORDER_MARK} ${sql}`;

const FILL_COLUMNS = ['created_by', 'modified_by'] as const;

/** Untouched column: old and new alike. */
const touched = (c: string, r = 'r') => `${r}.${c}_old IS DISTINCT FROM ${r}.${c}_new`;

function keepFirstOld(c: string): string {
  return `${c}_old = CASE WHEN ${touched(c, 'f')} THEN f.${c}_old ELSE EXCLUDED.${c}_old END,
          ${c}_new = EXCLUDED.${c}_new`;
}

/** The record's tables and trigger functions (idempotent). */
export const RECORD_TABLES_SQL: readonly string[] = [
  `CREATE SCHEMA IF NOT EXISTS ${RECORD_SCHEMA}`,
  `COMMENT ON SCHEMA ${RECORD_SCHEMA} IS 'The migration runner''s record of the values migrations that fill audit columns wrote, so that their downs restore exactly those.'`,
  `CREATE TABLE IF NOT EXISTS ${RUNS} (
     id serial PRIMARY KEY,
     migration text NOT NULL UNIQUE,
     table_name text NOT NULL,
     step text NOT NULL,
     recorded_at timestamptz NOT NULL DEFAULT now(),
     undone boolean NOT NULL DEFAULT false,
     UNIQUE (table_name, step)
   )`,
  // One row per changed row: each column's value before and after the up
  // (alike: untouched), and the backfill log's (NULL before: no log row).
  `CREATE TABLE IF NOT EXISTS ${FILLS} (
     run integer NOT NULL REFERENCES ${RUNS} (id) ON DELETE CASCADE,
     row_id integer NOT NULL,
     created_by_old integer, created_by_new integer,
     modified_by_old integer, modified_by_new integer,
     log_old integer, log_new integer,
     PRIMARY KEY (run, row_id)
   )`,
  `CREATE TABLE IF NOT EXISTS ${ARCHIVED} (
     run integer NOT NULL REFERENCES ${RUNS} (id) ON DELETE CASCADE,
     column_name text NOT NULL,
     row_id integer NOT NULL,
     value integer NOT NULL,
     archived_at timestamptz NOT NULL,
     PRIMARY KEY (run, column_name, row_id)
   )`,
  `CREATE OR REPLACE FUNCTION ${RECORD_SCHEMA}.record_audit_fills() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO ${FILLS} AS f (run, row_id, created_by_old, created_by_new, modified_by_old, modified_by_new)
     SELECT TG_ARGV[0]::integer, n.id, o.created_by, n.created_by, o.modified_by, n.modified_by
       FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE o.created_by IS DISTINCT FROM n.created_by OR o.modified_by IS DISTINCT FROM n.modified_by
     ON CONFLICT (run, row_id) DO UPDATE SET ${FILL_COLUMNS.map(keepFirstOld).join(', ')};
     RETURN NULL;
   END $$`,
  `CREATE OR REPLACE FUNCTION ${RECORD_SCHEMA}.record_log_writes() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'INSERT' THEN
       INSERT INTO ${FILLS} AS f (run, row_id, log_old, log_new)
       SELECT TG_ARGV[0]::integer, n.row_id, NULL, n.value FROM new_rows n
        WHERE n.table_name = TG_ARGV[1] AND n.column_name = 'created_by'
       ON CONFLICT (run, row_id) DO UPDATE SET log_new = EXCLUDED.log_new;
     ELSE
       INSERT INTO ${FILLS} AS f (run, row_id, log_old, log_new)
       SELECT TG_ARGV[0]::integer, n.row_id, o.value, n.value
         FROM old_rows o JOIN new_rows n USING (table_name, column_name, row_id)
        WHERE n.table_name = TG_ARGV[1] AND n.column_name = 'created_by'
       ON CONFLICT (run, row_id) DO UPDATE
         SET log_old = CASE WHEN f.log_new IS NULL THEN EXCLUDED.log_old ELSE f.log_old END,
             log_new = EXCLUDED.log_new;
     END IF;
     RETURN NULL;
   END $$`,
];

/** Creates the record's schema, tables and functions if missing (the runner, with its history table). */
export async function ensureFillRecord(client: pg.ClientBase): Promise<void> {
  // Every command runs this: once the record is there it sends no DDL.
  const { rows } = await client.query<{ present: boolean }>(
    mark(`SELECT to_regclass('${ARCHIVED}') IS NOT NULL
              AND to_regprocedure('${RECORD_SCHEMA}.record_audit_fills()') IS NOT NULL
              AND to_regprocedure('${RECORD_SCHEMA}.record_log_writes()') IS NOT NULL AS present`),
  );
  if (rows[0]?.present) return;
  for (const sql of RECORD_TABLES_SQL) await client.query(mark(sql));
}

/**
 * Forgets every recorded run (their fills and archived values go with them).
 * A restore does this to the record its migrate step made on empty tables,
 * before it loads the backup's own: the downs then restore what the source's
 * ups wrote, or, from a backup made before the record existed, do what they
 * did before and say so.
 */
export async function forgetFillRecord(client: pg.ClientBase): Promise<void> {
  if (await exists(client, RUNS)) await client.query(mark(`DELETE FROM ${RUNS}`));
}

/** A recorded run as db:plan copies it: which migration it was, and whether its down ran. */
export interface FillRun {
  migration: string;
  table_name: string;
  step: string;
  undone: boolean;
}

/** The runs recorded on a database (none without the record). */
export async function readFillRuns(client: pg.ClientBase): Promise<FillRun[]> {
  if (!(await exists(client, RUNS))) return [];
  const { rows } = await client.query<FillRun>(
    mark(`SELECT migration, table_name, step, undone FROM ${RUNS} ORDER BY id`),
  );
  return rows;
}

/**
 * Gives a scratch database the runs of the database it stands for, without
 * their values: a down takes the same path (recorded or not) on both, which
 * is what db:plan shows.
 */
export async function writeFillRuns(client: pg.ClientBase, runs: FillRun[]): Promise<void> {
  await ensureFillRecord(client);
  await client.query(mark(`DELETE FROM ${RUNS}`));
  for (const run of runs) {
    await client.query(
      mark(`INSERT INTO ${RUNS} (migration, table_name, step, undone) VALUES ($1, $2, $3, $4)`),
      [run.migration, run.table_name, run.step, run.undone],
    );
  }
}

/** Short transactions with a short lock_timeout, retried: a writer never queues behind the recorder's DDL for long. */
async function recorderDdl(client: pg.ClientBase, statements: readonly string[]): Promise<void> {
  const { lockTimeoutMs, ddlAttempts } = migrationTuning();
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query(mark('BEGIN'));
      await client.query(mark(`SET LOCAL lock_timeout = ${lockTimeoutMs}`));
      for (const sql of statements) await client.query(mark(sql));
      await client.query(mark('COMMIT'));
      return;
    } catch (error) {
      await client.query(mark('ROLLBACK'));
      if ((error as { code?: string }).code !== '55P03' || attempt >= ddlAttempts) throw error;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(2000, 25 * 2 ** Math.min(attempt, 7)) * (0.5 + Math.random())),
      );
    }
  }
}

async function exists(client: pg.ClientBase, relation: string): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>(
    'SELECT to_regclass($1) IS NOT NULL AS found',
    [relation],
  );
  return rows[0]!.found;
}

const onlyMigrations = `WHEN (current_setting('application_name') = '${MIGRATION_APPLICATION_NAME}')`;

/**
 * Runs `up` (the up of migration `name`, which fills the audit columns of
 * `table` as audit step `step`) with its changes recorded for its down.
 */
export async function recordFillsAround<T>(
  client: pg.ClientBase,
  target: { name: string; table: string; step: string },
  up: () => Promise<T>,
): Promise<T> {
  await ensureFillRecord(client);
  const { rows } = await client.query<{ id: number }>(
    mark(`INSERT INTO ${RUNS} (migration, table_name, step) VALUES ($1, $2, $3)
          ON CONFLICT (table_name, step) DO UPDATE
            SET migration = EXCLUDED.migration, undone = false, recorded_at = now()
          RETURNING id`),
    [target.name, target.table, target.step],
  );
  const run = rows[0]!.id;
  if (await archiveExists(client as pg.Client)) {
    await client.query(
      mark(`INSERT INTO ${ARCHIVED} (run, column_name, row_id, value, archived_at)
            SELECT $1, column_name, row_id, value, archived_at FROM ${ARCHIVE_TABLE} WHERE table_name = $2
            ON CONFLICT DO NOTHING`),
      [run, target.table],
    );
  }
  const table = ident(target.table);
  const logged = await exists(client, BACKFILL_LOG_TABLE);
  const triggers = [
    { name: TRIGGER, on: table },
    ...(logged
      ? [LOG_INSERT_TRIGGER, LOG_UPDATE_TRIGGER].map((name) => ({ name, on: BACKFILL_LOG_TABLE }))
      : []),
  ];
  const drop = triggers.map(({ name, on }) => `DROP TRIGGER IF EXISTS ${name} ON ${on}`);
  const args = `${run}, '${target.table.replace(/'/g, "''")}'`;
  await recorderDdl(client, [
    ...drop,
    `CREATE TRIGGER ${TRIGGER} AFTER UPDATE ON ${table}
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
       FOR EACH STATEMENT ${onlyMigrations}
       EXECUTE FUNCTION ${RECORD_SCHEMA}.record_audit_fills(${args})`,
    ...(logged
      ? [
          `CREATE TRIGGER ${LOG_INSERT_TRIGGER} AFTER INSERT ON ${BACKFILL_LOG_TABLE}
             REFERENCING NEW TABLE AS new_rows
             FOR EACH STATEMENT ${onlyMigrations}
             EXECUTE FUNCTION ${RECORD_SCHEMA}.record_log_writes(${args})`,
          `CREATE TRIGGER ${LOG_UPDATE_TRIGGER} AFTER UPDATE ON ${BACKFILL_LOG_TABLE}
             REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
             FOR EACH STATEMENT ${onlyMigrations}
             EXECUTE FUNCTION ${RECORD_SCHEMA}.record_log_writes(${args})`,
        ]
      : []),
  ]);
  let result: T;
  try {
    result = await up();
  } finally {
    await recorderDdl(client, drop);
  }
  // Archived values the up did not consume are still in the archive: nothing to put back.
  if (await archiveExists(client as pg.Client)) {
    await client.query(
      mark(`DELETE FROM ${ARCHIVED} a USING ${ARCHIVE_TABLE} v
             WHERE a.run = $1 AND v.table_name = $2 AND v.column_name = a.column_name
               AND v.row_id = a.row_id AND v.value = a.value`),
      [run, target.table],
    );
  }
  const { rows: noted } = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${FILLS} WHERE run = $1`,
    [run],
  );
  const changed = Number(noted[0]!.n);
  if (changed > 0) migrationLog(`${target.table}: ${changed} changed row(s) recorded for the down`);
  return result;
}

/** What a recorded down did. */
export interface FillsRestored {
  /** Rows whose values went back to what they were before the up. */
  restored: number;
  /** Rows the app changed since the up: their newer values are kept in the archive for the re-apply. */
  kept: number;
  /** Values put in the archive: those the up had consumed, and filled values the rule would not give again. */
  archived: number;
}

/**
 * The down of a migration that fills the audit columns of `table` as audit
 * step `step`: restores what its recorded up changed, in keyset batches
 * that forget each record they handled (a killed down resumes), and puts
 * back the archived values it consumed. Returns undefined, changing
 * nothing, when the up was not recorded.
 */
/** How the pass derives a value of a row `t` (joins on `t`, and the expression), as a re-apply would. */
export interface FillRule {
  source: string;
  joins?: string | undefined;
  /**
   * created_by existed before the audit (items, locations): the modifier
   * follows the creator, and a creator the app changed since the up stays
   * in place (the previous version shows it); else both take `source`.
   */
  creatorExistedBefore?: boolean;
}

export async function restoreRecordedFills(
  client: pg.Client,
  table: string,
  step: string,
  rule: FillRule,
): Promise<FillsRestored | undefined> {
  if (!(await exists(client, RUNS))) return undefined;
  const { rows } = await client.query<{ id: number; undone: boolean }>(
    `SELECT id, undone FROM ${RUNS} WHERE table_name = $1 AND step = $2`,
    [table, step],
  );
  const run = rows[0]?.id;
  if (run === undefined) return undefined;
  // Undone already: this is the down run again after a crash before its record.
  if (rows[0]!.undone) return { restored: 0, kept: 0, archived: 0 };

  const { rows: saved } = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${ARCHIVED} WHERE run = $1`,
    [run],
  );
  const archived = Number(saved[0]!.n);
  if (archived > 0) {
    await ensureArchive(client);
    await client.query(
      `INSERT INTO ${ARCHIVE_TABLE} (table_name, column_name, row_id, value, archived_at)
       SELECT $2, column_name, row_id, value, archived_at FROM ${ARCHIVED} WHERE run = $1
       ON CONFLICT (table_name, column_name, row_id) DO NOTHING`,
      [run, table],
    );
    await client.query(`DELETE FROM ${ARCHIVED} WHERE run = $1`, [run]);
  }

  const t = ident(table);
  const anyTouched = FILL_COLUMNS.map((c) => touched(c)).join(' OR ');
  // What goes to the archive before the values go back, so that a re-apply
  // (which prefers the archive) gives each row what it had:
  // - a value the app wrote since the up (a newer real modifier): it is
  //   real data, and the row goes back whole, so that the re-apply selects it;
  // - a filled value the rule would not give again (the campaign changed
  //   owner since). The re-apply's creator is then what the up wrote
  //   (derived again, or from the archive), and a modifier that follows it
  //   takes that.
  const creatorAgain = `CASE WHEN ${touched('created_by')} THEN r.created_by_new ELSE t.created_by END`;
  const expected = {
    created_by: rule.source,
    modified_by: rule.creatorExistedBefore
      ? `COALESCE(${creatorAgain}, ${rule.source})`
      : rule.source,
  };
  // A creator that existed before and that the app changed stays where it is.
  const staysInPlace = (c: string, now: string, written: string) =>
    c === 'created_by' && rule.creatorExistedBefore
      ? `(${now} IS DISTINCT FROM ${written})`
      : 'false';
  const values = FILL_COLUMNS.map(
    (c) =>
      `('${c}', ${touched(c)}, r.${c}_old, r.${c}_new, t.${c}, ${c === 'created_by' ? expected.created_by : expected.modified_by}, ${staysInPlace(c, `t.${c}`, `r.${c}_new`)})`,
  ).join(', ');
  const changedSince = 'v.now IS DISTINCT FROM v.written';
  const toArchive = `v.touched AND v.now IS NOT NULL AND NOT v.stays AND (${changedSince}
        OR (v.old IS NULL AND v.written IS DISTINCT FROM v.expected))`;
  const archiveRows = `FROM ${FILLS} r JOIN ${t} t ON t.id = r.row_id ${rule.joins ?? ''}
       CROSS JOIN LATERAL (VALUES ${values}) AS v(column_name, touched, old, written, now, expected, stays)
      WHERE r.run = $1 AND ${toArchive}`;
  const { rows: guarded } = await client.query<{ n: string; changed: string }>(
    `SELECT count(*) AS n, count(DISTINCT r.row_id) FILTER (WHERE ${changedSince}) AS changed
       ${archiveRows}`,
    [run],
  );
  const notDerivable = Number(guarded[0]!.n);
  const changed = Number(guarded[0]!.changed);
  if (notDerivable > 0) {
    await ensureArchive(client);
    await client.query(
      `INSERT INTO ${ARCHIVE_TABLE} (table_name, column_name, row_id, value)
       SELECT $2, v.column_name, r.row_id, v.now ${archiveRows}
       ON CONFLICT (table_name, column_name, row_id)
         DO UPDATE SET value = EXCLUDED.value, archived_at = EXCLUDED.archived_at`,
      [run, table],
    );
  }
  // Only a pass that fills a created_by that existed before writes the log.
  const { rows: notes } = await client.query<{ logged: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${FILLS} WHERE run = $1 AND log_new IS NOT NULL) AS logged`,
    [run],
  );
  const logged = notes[0]!.logged;
  const inLog = `l.table_name = '${table}' AND l.column_name = 'created_by' AND l.row_id = r.row_id`;
  const logSteps = logged
    ? `, log_removed AS (
         DELETE FROM ${BACKFILL_LOG_TABLE} l USING rec r
          WHERE ${inLog} AND r.log_old IS NULL AND r.log_new IS NOT NULL AND l.value = r.log_new
       ), log_restored AS (
         UPDATE ${BACKFILL_LOG_TABLE} l SET value = r.log_old FROM rec r
          WHERE ${inLog} AND r.log_old IS NOT NULL AND r.log_old <> r.log_new AND l.value = r.log_new
       )`
    : '';
  const restored = await runBatchedPass(client, {
    label: `${table}: restore the audit values the ${step} wrote`,
    countSql: `SELECT count(*) AS todo, min(row_id) AS first FROM ${FILLS} WHERE run = ${run}`,
    nextKeySql: `SELECT row_id AS key FROM ${FILLS} WHERE run = ${run} AND row_id > $1
                  ORDER BY row_id OFFSET $2 LIMIT 1`,
    batchSql: `
      WITH rec AS (
        DELETE FROM ${FILLS} WHERE run = ${run} AND row_id > $1 AND row_id <= $2 RETURNING *
      ), restored AS (
        UPDATE ${t} t
           SET ${FILL_COLUMNS.map((c) => `${c} = CASE WHEN ${touched(c)} AND NOT ${staysInPlace(c, `t.${c}`, `r.${c}_new`)} THEN r.${c}_old ELSE t.${c} END`).join(', ')}
          FROM rec r
         WHERE t.id = r.row_id AND (${anyTouched})
        RETURNING t.id
      )${logSteps}
      SELECT count(*) AS n FROM restored`,
  });
  // Kept, marked undone (its records are gone): a down run again after a
  // crash finds it and does nothing, rather than take the up for unrecorded.
  await client.query(`UPDATE ${RUNS} SET undone = true WHERE id = $1`, [run]);
  return { restored, kept: changed, archived: archived + notDerivable };
}

/** The line a recorded down logs. */
export function describeRestored(table: string, step: string, done: FillsRestored): string {
  const parts = [
    `${table}: the ${step}'s recorded changes undone: ${done.restored} row(s) restored`,
  ];
  if (done.kept > 0) {
    parts.push(
      `${done.kept} row(s) changed since the ${step}: their newer values are kept in the audit archive for the re-apply`,
    );
  }
  if (done.archived > 0)
    parts.push(`${done.archived} value(s) put in the audit archive for the re-apply`);
  return parts.join('; ');
}

/**
 * A down whose up ran without the record (before the runner recorded fills,
 * or under sequelize-cli): how many rows hold a modifier the up may have
 * written. Without the record they cannot be told from values the app
 * recorded since, so they stay (the columns' down archives those the rule
 * would not give back).
 */
export async function countUnrecorded(client: pg.ClientBase, table: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${ident(table)} WHERE modified_by IS NOT NULL`,
  );
  return Number(rows[0]!.n);
}

/** The line a down logs when its up was not recorded. */
export function describeUnrecorded(
  table: string,
  step: string,
  counts: { reverted?: number; kept: number },
): string {
  const reverted =
    counts.reverted === undefined
      ? ''
      : `; ${counts.reverted} created_by value(s) listed in ${BACKFILL_LOG_TABLE} set back to NULL`;
  return (
    `${table}: the ${step} ran without a record of its fills (applied before the runner recorded them, ` +
    `or by sequelize-cli)${reverted}; ${counts.kept} row(s) keep a modifier it may have written, ` +
    "which cannot be told from one recorded since without the record: kept (the columns' down archives them)"
  );
}
