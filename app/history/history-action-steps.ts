import type pg from 'pg';
import type { BuiltMigration } from '../db/migration-lib/built-migration';
import {
  countRows,
  dataDiscardAllowed,
  refuseToLoseRows,
  rowCounterOfClient,
} from '../db/migration-lib/kept-rows';
import { withMigrationClient } from '../db/migration-lib/migration-client';
import { runOnlineDdl } from '../db/migration-lib/online-ddl';
import { ident } from '../db/sql-identifier';
import { captureWithActionsSql } from './capture-actions-sql';
import { captureFunctionSql } from './capture-sql';
import { HISTORY_TABLE } from './captured-table';

/*
 * The migrations that let the history record restores and reverts, one
 * change each:
 *   action check  the CHECK on history_entries.action admits `restore`.
 *                 Online: the new CHECK is added NOT VALID (catalog only,
 *                 short lock_timeout), validated (SHARE UPDATE EXCLUSIVE:
 *                 writers go on), then the old one is dropped and the new
 *                 one takes its name. Each step is its own transaction and
 *                 looks at the catalog first, so a re-run after a crash
 *                 finishes the swap. Down swaps back the same way; it
 *                 refuses while entries with action `restore` exist, since
 *                 the narrower CHECK cannot hold them. With --discard-data
 *                 those entries are kept, relabelled `create` (what a
 *                 restore is to a reader of the row's history): the entry
 *                 stays, only the word "restore" is lost.
 *   revert_of     a nullable bigint column (catalog only). Down drops it,
 *                 refusing while an entry holds a value (with
 *                 --discard-data, the values go; the entries stay, with
 *                 source `revert`).
 *   capture       the capture function's second version
 *                 (capture-actions-sql.ts). Down puts back the first.
 */

const table = ident(HISTORY_TABLE);
/** The name PostgreSQL gave the CHECK of the history table's first migration. */
const ACTION_CHECK = `${HISTORY_TABLE}_action_check`;
/** The CHECK being swapped in, until it takes ACTION_CHECK's name. */
const NEXT_CHECK = `${HISTORY_TABLE}_action_check_next`;

const FIRST_ACTIONS = ['create', 'update', 'delete'];
const ACTIONS_WITH_RESTORE = [...FIRST_ACTIONS, 'restore'];

const checkSql = (actions: readonly string[]) =>
  `CHECK (action IN (${actions.map((action) => `'${action}'`).join(', ')}))`;

interface CheckState {
  name: string;
  admitsRestore: boolean;
}

async function actionChecks(client: pg.ClientBase): Promise<Map<string, CheckState>> {
  const { rows } = await client.query<{ name: string; def: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE conrelid = to_regclass($1) AND contype = 'c' AND conname = ANY($2::text[])`,
    [HISTORY_TABLE, [ACTION_CHECK, NEXT_CHECK]],
  );
  return new Map(
    rows.map((row) => [row.name, { name: row.name, admitsRestore: row.def.includes("'restore'") }]),
  );
}

/** Makes ACTION_CHECK admit exactly `actions`, online; re-run safely after a crash at any step. */
async function swapActionCheck(client: pg.ClientBase, actions: readonly string[]): Promise<void> {
  const restore = actions.includes('restore');
  let checks = await actionChecks(client);
  const current = checks.get(ACTION_CHECK);
  const next = checks.get(NEXT_CHECK);
  if (current?.admitsRestore === restore && !next) return;
  if (next && next.admitsRestore !== restore) {
    // Left by an interrupted swap the other way.
    await runOnlineDdl(
      client,
      [`ALTER TABLE ${table} DROP CONSTRAINT ${ident(NEXT_CHECK)}`],
      [HISTORY_TABLE],
    );
    checks = await actionChecks(client);
  }
  if (!checks.has(NEXT_CHECK)) {
    await runOnlineDdl(
      client,
      [`ALTER TABLE ${table} ADD CONSTRAINT ${ident(NEXT_CHECK)} ${checkSql(actions)} NOT VALID`],
      [HISTORY_TABLE],
    );
  }
  await runOnlineDdl(
    client,
    [`ALTER TABLE ${table} VALIDATE CONSTRAINT ${ident(NEXT_CHECK)}`],
    [HISTORY_TABLE],
  );
  await runOnlineDdl(
    client,
    [
      `ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${ident(ACTION_CHECK)}`,
      `ALTER TABLE ${table} RENAME CONSTRAINT ${ident(NEXT_CHECK)} TO ${ident(ACTION_CHECK)}`,
    ],
    [HISTORY_TABLE],
  );
}

/** The CHECK on history_entries.action admits `restore`. */
export function actionCheckMigration(): BuiltMigration {
  return {
    meta: { transactional: false, table: HISTORY_TABLE, kind: 'schema' },
    up: (qi) => withMigrationClient(qi, (client) => swapActionCheck(client, ACTIONS_WITH_RESTORE)),
    down: (qi) =>
      withMigrationClient(qi, async (client) => {
        const restores = "action = 'restore'";
        await refuseToLoseRows(rowCounterOfClient(client), HISTORY_TABLE, {
          where: restores,
          what: `the action "restore" of ${HISTORY_TABLE} (entries of restored rows)`,
        });
        if (
          dataDiscardAllowed() &&
          (await countRows(rowCounterOfClient(client), HISTORY_TABLE, restores)) > 0
        ) {
          await client.query(`UPDATE ${table} SET action = 'create' WHERE ${restores}`);
        }
        await swapActionCheck(client, FIRST_ACTIONS);
      }),
  };
}

/** history_entries.revert_of: the entry a revert undid. */
export function revertOfColumnMigration(): BuiltMigration {
  return {
    meta: { transactional: true, table: HISTORY_TABLE, kind: 'schema' },
    up: (qi) =>
      withMigrationClient(qi, (client) =>
        runOnlineDdl(
          client,
          [
            `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS revert_of bigint`,
            `COMMENT ON COLUMN ${table}.revert_of IS 'The id of the entry this update reverted (POST .../history/:entryId/revert); NULL for any other entry.'`,
          ],
          [HISTORY_TABLE],
        ),
      ),
    down: (qi) =>
      withMigrationClient(qi, async (client) => {
        const { rows } = await client.query<{ present: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1)
                            AND attname = 'revert_of' AND NOT attisdropped) AS present`,
          [HISTORY_TABLE],
        );
        if (!rows[0]?.present) return;
        await refuseToLoseRows(rowCounterOfClient(client), HISTORY_TABLE, {
          where: 'revert_of IS NOT NULL',
          what: `column ${HISTORY_TABLE}.revert_of (which entries reverts undid)`,
        });
        await runOnlineDdl(client, [`ALTER TABLE ${table} DROP COLUMN revert_of`], [HISTORY_TABLE]);
      }),
  };
}

/** The capture function's second version, which records restores and reverts. */
export function captureWithActionsMigration(): BuiltMigration {
  return {
    meta: { transactional: true, table: HISTORY_TABLE, kind: 'schema' },
    up: (qi) =>
      withMigrationClient(qi, (client) => runOnlineDdl(client, [captureWithActionsSql()], [])),
    down: (qi) =>
      withMigrationClient(qi, (client) => runOnlineDdl(client, [captureFunctionSql()], [])),
  };
}
