import type pg from 'pg';
import { withMigrationClient } from '../db/migration-lib/migration-client';
import { runOnlineDdl } from '../db/migration-lib/online-ddl';
import { ident } from '../db/sql-identifier';
import {
  captureFunctionSql,
  CAPTURE_FUNCTION,
  installCaptureSql,
  recordedColumnsSql,
  removeCaptureSql,
} from './capture-sql';
import {
  HISTORY_ARCHIVE_TABLE,
  HISTORY_DEFAULT_PARTITION,
  HISTORY_SEQUENCE,
  HISTORY_TABLE,
  type CapturedTable,
} from './captured-table';
import {
  ENSURE_PARTITIONS_FUNCTION,
  ensurePartitionsAheadSql,
  ensurePartitionsFunctionSql,
} from './partition-sql';
import type { BuiltMigration } from '../db/migration-lib/built-migration';
import { countRows, rowCounterOfClient } from '../db/migration-lib/kept-rows';

/*
 * The history's migrations, one change each:
 *   table      the partitioned history table, its sequence, indexes and
 *              default partition. Down keeps what it holds: a table with
 *              entries is renamed aside (HISTORY_ARCHIVE_TABLE) and renamed
 *              back by the next up; only an empty one is dropped.
 *   partitions the function that makes monthly partitions ahead, and this
 *              month's and the next three. Down drops the function (the
 *              partitions are the table's).
 *   function   the capture function. Down drops it.
 *   capture    one table's trigger. Down drops it; the entries stay. An
 *              audited table's is a step of the audit; a table captured
 *              only (app/registry CAPTURED_ONLY) says `history: 'capture'`.
 */

/** How many months of partitions the migration and the server keep ahead. */
export const MONTHS_AHEAD = 3;

const table = ident(HISTORY_TABLE);

function createTableStatements(): string[] {
  return [
    `CREATE SEQUENCE IF NOT EXISTS ${ident(HISTORY_SEQUENCE)} AS bigint`,
    `CREATE TABLE IF NOT EXISTS ${table} (
       id bigint NOT NULL DEFAULT nextval('${HISTORY_SEQUENCE}'),
       at timestamptz NOT NULL DEFAULT now(),
       table_name text NOT NULL,
       row_id integer NOT NULL,
       campaign_id integer,
       action text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
       actor_id integer,
       request_id text,
       source text,
       changes jsonb NOT NULL,
       PRIMARY KEY (id, at)
     ) PARTITION BY RANGE (at)`,
    `ALTER SEQUENCE ${ident(HISTORY_SEQUENCE)} OWNED BY ${table}.id`,
    `COMMENT ON TABLE ${table} IS 'Every change of a campaign, character, item or location: one entry per row changed, written by the table''s history trigger in the same transaction. actor_id is NULL when the write did not come through the app.'`,
    `CREATE INDEX IF NOT EXISTS ${ident(`${HISTORY_TABLE}_row_idx`)} ON ${table} (table_name, row_id, at DESC, id DESC)`,
    `CREATE INDEX IF NOT EXISTS ${ident(`${HISTORY_TABLE}_campaign_idx`)} ON ${table} (campaign_id, at DESC, id DESC)`,
    `CREATE TABLE IF NOT EXISTS ${ident(HISTORY_DEFAULT_PARTITION)} PARTITION OF ${table} DEFAULT`,
  ];
}

async function relationExists(client: pg.ClientBase, name: string): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>(
    'SELECT to_regclass($1) IS NOT NULL AS found',
    [name],
  );
  return rows[0]?.found === true;
}

/** The history table: created, or renamed back from where a rollback kept it. */
export function historyTableMigration(): BuiltMigration {
  return {
    meta: { transactional: true, table: HISTORY_TABLE, kind: 'schema', audit: 'history-table' },
    up: (qi) =>
      withMigrationClient(qi, async (client) => {
        const kept = await relationExists(client, HISTORY_ARCHIVE_TABLE);
        const present = await relationExists(client, HISTORY_TABLE);
        const statements =
          kept && !present
            ? [`ALTER TABLE ${ident(HISTORY_ARCHIVE_TABLE)} RENAME TO ${table}`]
            : createTableStatements();
        await runOnlineDdl(client, statements, []);
      }),
    down: (qi) =>
      withMigrationClient(qi, async (client) => {
        if (!(await relationExists(client, HISTORY_TABLE))) return;
        // db:plan answers this from the database it plans for (kept-rows.ts).
        const entries = await countRows(rowCounterOfClient(client), HISTORY_TABLE);
        const statements =
          entries > 0
            ? [`ALTER TABLE ${table} RENAME TO ${ident(HISTORY_ARCHIVE_TABLE)}`]
            : [`DROP TABLE ${table}`, `DROP SEQUENCE IF EXISTS ${ident(HISTORY_SEQUENCE)}`];
        await runOnlineDdl(client, statements, []);
      }),
  };
}

/** The partition-making function, and the partitions from this month to MONTHS_AHEAD on. */
export function historyPartitionsMigration(): BuiltMigration {
  return {
    meta: {
      transactional: true,
      table: HISTORY_TABLE,
      kind: 'schema',
      audit: 'history-partitions',
    },
    up: (qi) =>
      withMigrationClient(qi, async (client) => {
        await runOnlineDdl(client, [ensurePartitionsFunctionSql()], []);
        await client.query(ensurePartitionsAheadSql(MONTHS_AHEAD));
      }),
    down: (qi) =>
      withMigrationClient(qi, (client) =>
        runOnlineDdl(
          client,
          [`DROP FUNCTION IF EXISTS ${ENSURE_PARTITIONS_FUNCTION}(timestamptz, timestamptz)`],
          [],
        ),
      ),
  };
}

/** The capture function every captured table's trigger calls. */
export function captureFunctionMigration(): BuiltMigration {
  return {
    meta: { transactional: true, table: HISTORY_TABLE, kind: 'schema', audit: 'capture-function' },
    up: (qi) =>
      withMigrationClient(qi, (client) => runOnlineDdl(client, [captureFunctionSql()], [])),
    down: (qi) =>
      withMigrationClient(qi, (client) =>
        runOnlineDdl(client, [`DROP FUNCTION IF EXISTS ${CAPTURE_FUNCTION}()`], []),
      ),
  };
}

/** The history trigger of one table: one short transaction with a short lock_timeout. */
export function captureMigration(spec: CapturedTable): BuiltMigration {
  return {
    meta: { transactional: true, table: spec.table, kind: 'schema', audit: 'capture' },
    up: (qi) =>
      withMigrationClient(qi, async (client) => {
        const { sql, params } = recordedColumnsSql(spec.table);
        const { rows } = await client.query<{ name: string }>(sql, params);
        await runOnlineDdl(
          client,
          installCaptureSql(
            spec,
            rows.map((row) => row.name),
          ),
          [spec.table],
        );
      }),
    down: (qi) =>
      withMigrationClient(qi, (client) =>
        runOnlineDdl(client, removeCaptureSql(spec), [spec.table]),
      ),
  };
}

/**
 * The history trigger of a table captured but not audited: the same trigger
 * and steps, outside the audit (its rollback does not count it as one).
 */
export function captureOnlyMigration(spec: CapturedTable): BuiltMigration {
  const { up, down } = captureMigration(spec);
  return {
    meta: { transactional: true, table: spec.table, kind: 'schema', history: 'capture' },
    up,
    down,
  };
}
