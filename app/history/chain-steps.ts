import type pg from 'pg';
import type { BuiltMigration } from '../db/migration-lib/built-migration';
import { withMigrationClient } from '../db/migration-lib/migration-client';
import { runOnlineDdl } from '../db/migration-lib/online-ddl';
import { countRows, rowCounterOfClient } from '../db/migration-lib/kept-rows';
import { HISTORY_TABLE } from './captured-table';
import {
  CHAIN_FUNCTION,
  CHAIN_TRIGGER,
  chainFunctionSql,
  createChainTriggerSql,
  ENTRY_HASH_FUNCTION,
  entryHashFunctionSql,
  HASH_COLUMN,
  PREV_HASH_COLUMN,
} from './chain-sql';

/*
 * The chain's migrations, one change each:
 *   columns   hash and prev_hash, nullable without default (catalog only,
 *             under a short lock_timeout with retries). Down keeps the
 *             chain: the hashed entries' (id, at, prev_hash, hash) are
 *             copied to history_chain_archive.entries before the columns go,
 *             and the next up puts them back (an UPDATE of history entries,
 *             which no writer ever updates, so nobody waits) and drops the
 *             copy. Not one transaction; re-runnable from any point.
 *   functions the hash function and the trigger function. Down drops them.
 *   trigger   the BEFORE INSERT row trigger. Down drops it; the hashes stay.
 */

/**
 * Where the columns' down keeps the chain until the next up: a schema of its
 * own, outside the app's (the audit archive's schema is dropped with what it
 * holds once its own values are restored).
 */
export const CHAIN_ARCHIVE_SCHEMA = 'history_chain_archive';
export const CHAIN_ARCHIVE_TABLE = `${CHAIN_ARCHIVE_SCHEMA}.entries`;

/** Where a rollback keeps the hashes (also made by db:restore before it loads a backup's copy). */
export async function ensureChainArchive(client: pg.ClientBase): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${CHAIN_ARCHIVE_SCHEMA}`);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${CHAIN_ARCHIVE_TABLE} (
       id bigint NOT NULL, at timestamptz NOT NULL,
       ${PREV_HASH_COLUMN} bytea, ${HASH_COLUMN} bytea NOT NULL, PRIMARY KEY (id, at))`,
  );
}

async function archiveExists(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>(
    'SELECT to_regclass($1) IS NOT NULL AS found',
    [CHAIN_ARCHIVE_TABLE],
  );
  return rows[0]?.found === true;
}

async function columnExists(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1)
                      AND attname = $2 AND NOT attisdropped) AS found`,
    [HISTORY_TABLE, HASH_COLUMN],
  );
  return rows[0]?.found === true;
}

/** Drops the archive and its schema. */
async function dropArchive(client: pg.ClientBase): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${CHAIN_ARCHIVE_TABLE}`);
  await client.query(`DROP SCHEMA IF EXISTS ${CHAIN_ARCHIVE_SCHEMA}`);
}

/** The hash and prev_hash columns; the chain a rollback kept comes back with them. */
export function chainColumnsMigration(): BuiltMigration {
  return {
    meta: { transactional: false, table: HISTORY_TABLE, kind: 'schema' },
    up: (qi) =>
      withMigrationClient(qi, async (client) => {
        await runOnlineDdl(
          client,
          [
            `ALTER TABLE ${HISTORY_TABLE} ADD COLUMN IF NOT EXISTS ${PREV_HASH_COLUMN} bytea,
                                          ADD COLUMN IF NOT EXISTS ${HASH_COLUMN} bytea`,
            `COMMENT ON COLUMN ${HISTORY_TABLE}.${HASH_COLUMN} IS 'SHA-256 of the entry (docs/history.md, the chain); NULL for entries written before the chain existed'`,
            `COMMENT ON COLUMN ${HISTORY_TABLE}.${PREV_HASH_COLUMN} IS 'hash of the entry before this one of the same row; NULL where the row''s chain starts'`,
          ],
          [HISTORY_TABLE],
        );
        if (!(await archiveExists(client))) return;
        await client.query(
          `UPDATE ${HISTORY_TABLE} h SET ${PREV_HASH_COLUMN} = a.${PREV_HASH_COLUMN}, ${HASH_COLUMN} = a.${HASH_COLUMN}
             FROM ${CHAIN_ARCHIVE_TABLE} a WHERE h.id = a.id AND h.at = a.at`,
        );
        await dropArchive(client);
      }),
    down: (qi) =>
      withMigrationClient(qi, async (client) => {
        if (!(await columnExists(client))) return;
        // db:plan answers this from the database it plans for (kept-rows.ts).
        const hashed = await countRows(
          rowCounterOfClient(client),
          HISTORY_TABLE,
          `${HASH_COLUMN} IS NOT NULL`,
        );
        if (hashed > 0) {
          await ensureChainArchive(client);
          await client.query(
            `INSERT INTO ${CHAIN_ARCHIVE_TABLE} (id, at, ${PREV_HASH_COLUMN}, ${HASH_COLUMN})
             SELECT id, at, ${PREV_HASH_COLUMN}, ${HASH_COLUMN} FROM ${HISTORY_TABLE}
              WHERE ${HASH_COLUMN} IS NOT NULL
             ON CONFLICT (id, at) DO NOTHING`,
          );
        }
        await runOnlineDdl(
          client,
          [
            `ALTER TABLE ${HISTORY_TABLE} DROP COLUMN IF EXISTS ${HASH_COLUMN},
                                          DROP COLUMN IF EXISTS ${PREV_HASH_COLUMN}`,
          ],
          [HISTORY_TABLE],
        );
      }),
  };
}

/** The entry hash function and the chain's trigger function. */
export function chainFunctionsMigration(): BuiltMigration {
  return {
    meta: { transactional: true, table: HISTORY_TABLE, kind: 'schema' },
    up: (qi) =>
      withMigrationClient(qi, (client) =>
        runOnlineDdl(client, [entryHashFunctionSql(), chainFunctionSql()], []),
      ),
    down: (qi) =>
      withMigrationClient(qi, (client) =>
        runOnlineDdl(
          client,
          [
            `DROP FUNCTION IF EXISTS ${CHAIN_FUNCTION}()`,
            `DROP FUNCTION IF EXISTS ${ENTRY_HASH_FUNCTION}(jsonb, timestamptz, bytea)`,
          ],
          [],
        ),
      ),
  };
}

/** The chain's BEFORE INSERT row trigger on the partitioned history. */
export function chainTriggerMigration(): BuiltMigration {
  return {
    meta: { transactional: true, table: HISTORY_TABLE, kind: 'schema' },
    up: (qi) =>
      withMigrationClient(qi, (client) =>
        runOnlineDdl(client, createChainTriggerSql(), [HISTORY_TABLE]),
      ),
    down: (qi) =>
      withMigrationClient(qi, (client) =>
        runOnlineDdl(
          client,
          [`DROP TRIGGER IF EXISTS ${CHAIN_TRIGGER} ON ${HISTORY_TABLE}`],
          [HISTORY_TABLE],
        ),
      ),
  };
}
