import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { ARCHIVE_SCHEMA, ensureArchive } from '../../db/migration-lib/audit-archive';
import {
  ensureFillRecord,
  forgetFillRecord,
  RECORD_SCHEMA,
} from '../../db/migration-lib/recorded-fills';
import { Sequelize } from 'sequelize';
import { archivedName, withDataDiscarded } from '../../db/migration-lib/kept-rows';
import {
  MIGRATIONS_DIR,
  listMigrationFiles,
  loadMigration,
  migrationCatalog,
} from '../../db/migration-files';
import { migrateUp } from '../../db/migration-runner';
import { createMigrator, ensureMigrationHistory } from '../../db/migrator';
import { createSequelize } from '../../db/sequelize';
import { ident } from '../../db/sql-identifier';
import { CHAIN_ARCHIVE_SCHEMA, ensureChainArchive } from '../../history/chain-steps';
import { ENSURE_PARTITIONS_FUNCTION } from '../../history/partition-sql';
import { appliedMigrations, openStableClient } from '../pg-client';
import { displayName, qualifiedName } from './catalog';
import { HashingCounter, discard, selectForCopy } from './copy-stream';
import { BackupError, readManifest, type BackupManifest, type TableDump } from './manifest';

/** The seeders' history table, created by the seeder runner rather than a migration. */
const SEEDERS_HISTORY = 'SequelizeData';

export interface RestoreOptions {
  /** A folder written by createBackup. */
  dir: string;
  log?: (line: string) => void;
}

export interface RestoreResult {
  manifest: BackupManifest;
  /** Migrations applied to an empty target to give it the backup's schema. */
  migrated: string[];
}

/**
 * Loads a backup into an empty database, which is first migrated to exactly
 * the backup's applied migrations (rows the migrations seed are replaced by
 * the backup's), or into one already migrated whose tables are empty. The
 * audit archive is created if the backup holds one. All tables are loaded in
 * foreign-key order in one transaction, their sequences set, and read back;
 * the transaction commits only if every table's row count and SHA-256 match
 * the manifest, so a restore is all or nothing.
 */
export async function restoreBackup(url: string, options: RestoreOptions): Promise<RestoreResult> {
  const { dir, log = () => {} } = options;
  const manifest = readManifest(dir);
  for (const dump of manifest.tables) {
    if (!fs.existsSync(path.join(dir, dump.file))) {
      throw new BackupError(`${path.join(dir, dump.file)} is missing; the backup is incomplete`);
    }
  }

  const archives = keptAsideTables(manifest);
  const before = await targetState(url);
  if (before.applied.length === 0 && before.tables.length > 0) {
    throw new BackupError(
      `the target holds table(s) ${before.tables.join(', ')} but no migrations: it is not a new, empty ` +
        'database. Restore into a new one (CREATE DATABASE gma_restore); nothing was restored',
    );
  }
  const created: string[] = [];
  try {
    const migrated = await migrateEmptyTarget(url, manifest, log);
    for (const archive of archives) {
      await createKeptAside(url, archive, log);
      created.push(archive.archived);
    }
    return await loadTables(url, manifest, dir, migrated, log);
  } catch (error) {
    // The load is one transaction; the migrate step and the tables kept
    // aside made before it are not: undo them, so that the target is as the
    // restore found it and a second try starts clean; if that fails too,
    // say how to start over.
    const applied = (await targetState(url).catch(() => before)).applied.filter(
      (name) => !before.applied.includes(name),
    );
    if (applied.length === 0 && created.length === 0) throw error;
    const message = (error as Error).message;
    try {
      await revertMigrateStep(url, applied, created, before.runnerTables, log);
    } catch (undoError) {
      const database = new URL(url).pathname.slice(1);
      throw new BackupError(
        `${message}. The target had been migrated for the restore, and reverting that failed ` +
          `(${(undoError as Error).message}): drop and create it again ` +
          `(DROP DATABASE "${database}"; CREATE DATABASE "${database}") before the next try`,
        { cause: error },
      );
    }
    throw new BackupError(
      `${message}; the migrations applied to the empty target were reverted, so it is as it was`,
      { cause: error },
    );
  }
}

/** A table a rollback renamed aside (`<table>_archived`), and the migration that creates its shape. */
interface KeptAside {
  archived: string;
  table: string;
  migration: string;
  dump: TableDump;
}

/**
 * The tables of the backup that a down kept aside (the history, pending
 * invitations, rate-limit counts renamed `<table>_archived`): no migration of
 * the backup's state creates them, so the restore makes each the way the
 * source got it, by its creating migration's up, then renamed aside.
 */
function keptAsideTables(manifest: BackupManifest): KeptAside[] {
  const found: KeptAside[] = [];
  for (const dump of manifest.tables) {
    if (dump.schema || !dump.table.endsWith('_archived')) continue;
    const table = dump.table.slice(0, -'_archived'.length);
    const creator = migrationCatalog().find(
      (entry) => entry.meta.table === table && entry.meta.kind === 'schema',
    );
    if (!creator || dump.table !== archivedName(table)) {
      throw new BackupError(
        `the backup holds ${dump.table}, which no migration of this version creates; restore with ` +
          'the version of the app that took it. Nothing was restored',
      );
    }
    if (manifest.tables.some((other) => !other.schema && other.table === table)) {
      throw new BackupError(
        `the backup holds both ${table} and ${dump.table}; apply the migrations on the source ` +
          '(npm run db:migrate) or look at the kept table, then take a new backup. Nothing was restored',
      );
    }
    found.push({ archived: dump.table, table, migration: creator.name, dump });
  }
  return found;
}

/** Creates a kept-aside table in the target: its migration's up (not recorded), its partitions, then renamed aside. */
async function createKeptAside(
  url: string,
  archive: KeptAside,
  log: (line: string) => void,
): Promise<void> {
  const sequelize = createSequelize(url);
  try {
    const migration = loadMigration(path.join(MIGRATIONS_DIR, archive.migration));
    await migration.up(sequelize.getQueryInterface(), Sequelize);
    await sequelize.query(
      `ALTER TABLE ${ident(archive.table)} RENAME TO ${ident(archive.archived)}`,
    );
  } finally {
    await sequelize.close();
  }
  log(`${archive.archived}: made as ${archive.migration} creates it, then kept aside`);
}

/** The target's applied migrations, its tables (in public) and which runner history tables it has. */
async function targetState(
  url: string,
): Promise<{ applied: string[]; tables: string[]; runnerTables: Set<string> }> {
  const client = await openStableClient(url, 'gma-restore');
  try {
    const applied = await appliedMigrations(client);
    const { rows } = await client.query<{ table: string }>(
      `SELECT relname AS table FROM pg_class
        WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p')
        ORDER BY 1`,
    );
    const tables = rows.map((row) => row.table);
    return {
      applied,
      tables: tables.filter((t) => !RUNNER_HISTORY_TABLES.includes(t)),
      runnerTables: new Set(tables.filter((t) => RUNNER_HISTORY_TABLES.includes(t))),
    };
  } finally {
    await client.end();
  }
}

/** The runners' history tables, which a restore into an empty target may create. */
const RUNNER_HISTORY_TABLES = ['SequelizeMeta', SEEDERS_HISTORY];

/**
 * Reverts, newest first, the migrations a failed restore applied to an empty
 * target (their downs may drop what the migrations seeded), drops the tables
 * it kept aside there and the history tables it created.
 */
async function revertMigrateStep(
  url: string,
  migrated: string[],
  archives: string[],
  historyTablesBefore: Set<string>,
  log: (line: string) => void,
): Promise<void> {
  log(`reverting the ${migrated.length} migration(s) this restore applied to the empty target`);
  const sequelize = createSequelize(url);
  try {
    for (const archived of [...archives].reverse()) {
      await sequelize.query(`DROP TABLE IF EXISTS ${ident(archived)} CASCADE`);
    }
    await withDataDiscarded(() =>
      createMigrator(sequelize).down({ migrations: [...migrated].reverse() }),
    );
    for (const table of RUNNER_HISTORY_TABLES) {
      if (!historyTablesBefore.has(table)) {
        await sequelize.query(`DROP TABLE IF EXISTS ${ident(table)}`);
      }
    }
  } finally {
    await sequelize.close();
  }
}

/** Loads, checks and commits the tables into a target already at the backup's schema. */
async function loadTables(
  url: string,
  manifest: BackupManifest,
  dir: string,
  migrated: string[],
  log: (line: string) => void,
): Promise<RestoreResult> {
  const client = await openStableClient(url, 'gma-restore');
  try {
    // Rows in a target we migrated from empty were seeded by the migrations
    // (e.g. a system user); the backup holds their originals.
    const seeded = migrated.length > 0;
    await client.query('BEGIN');
    try {
      if (manifest.tables.some((dump) => dump.schema === ARCHIVE_SCHEMA)) {
        // The archive is not created by any migration's up: it holds what a rollback kept.
        await ensureArchive(client);
      }
      if (manifest.tables.some((dump) => dump.schema === CHAIN_ARCHIVE_SCHEMA)) {
        // Likewise the hashes a rollback of the chain's columns kept.
        await ensureChainArchive(client);
      }
      // The target's record of fills is its own migrate step's, on empty
      // tables: the backup's replaces it (none, from a backup made before
      // the record existed).
      if (manifest.tables.some((dump) => dump.schema === RECORD_SCHEMA)) {
        // A target migrated by sequelize-cli has no record yet.
        await ensureFillRecord(client);
      }
      await forgetFillRecord(client);
      for (const dump of manifest.tables) await checkTarget(client, dump, seeded);
      if (seeded) await clearSeededRows(client, manifest, log);
      for (const dump of manifest.tables) await makeHistoryPartitions(client, dump, log);
      for (const dump of manifest.tables) await makePartitions(client, dump, log);
      const keys = await dropForeignKeys(client, manifest);
      const indexes = await dropPlainIndexes(client, manifest);
      for (const dump of manifest.tables) await load(client, dir, dump, log);
      await rebuildIndexes(client, indexes, log);
      await restoreForeignKeys(client, keys, log);
      for (const dump of manifest.tables) await setSequences(client, dump);
      for (const dump of manifest.tables) await verify(client, dump);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    log(`verified: every table's row count and SHA-256 match the manifest`);
    for (const { table, reason } of manifest.excluded ?? [])
      log(`not in the backup: ${table} (${reason})`);
    return { manifest, migrated };
  } finally {
    await client.end();
  }
}

/**
 * Migrates an empty target to the backup's migration state: the same
 * migrations, so the same SequelizeMeta (usually a prefix of the files, up to
 * the last one applied; otherwise exactly the list, pending ones left out).
 */
async function migrateEmptyTarget(
  url: string,
  manifest: BackupManifest,
  log: (line: string) => void,
): Promise<string[]> {
  const client = await openStableClient(url, 'gma-restore');
  let applied: string[];
  try {
    applied = await appliedMigrations(client);
  } finally {
    await client.end();
  }
  const last = manifest.migrations.at(-1);
  if (applied.length > 0 || last === undefined) {
    if (applied.join() !== manifest.migrations.join()) {
      log(
        `note: the target's migrations differ from the backup's (${applied.length} vs ` +
          `${manifest.migrations.length}); columns the backup lacks keep their defaults`,
      );
    }
    return [];
  }
  const sequelize = createSequelize(url);
  try {
    const files = listMigrationFiles(MIGRATIONS_DIR);
    const prefix = files.slice(0, files.indexOf(last) + 1);
    let done: string[];
    if (prefix.join() === manifest.migrations.join()) {
      log(`target database is empty: migrating it to ${last}, the backup's schema`);
      done = await migrateUp(sequelize, url, { to: last, log });
    } else {
      log(
        `target database is empty: applying the backup's ${manifest.migrations.length} migrations`,
      );
      const unknown = manifest.migrations.filter((name) => !files.includes(name));
      if (unknown.length > 0) {
        throw new BackupError(
          `the backup was taken with migration(s) ${unknown.join(', ')} that this version does not have; ` +
            'restore with the version of the app that took it',
        );
      }
      done = (await createMigrator(sequelize).up({ migrations: manifest.migrations })).map(
        (m) => m.name,
      );
    }
    if (manifest.tables.some((dump) => dump.table === SEEDERS_HISTORY && !dump.schema)) {
      // Created explicitly: reading the seeders' history never creates it.
      await ensureMigrationHistory(sequelize, { tableName: SEEDERS_HISTORY });
    }
    return done;
  } finally {
    await sequelize.close();
  }
}

/**
 * Deletes the rows the migrations seeded into a target that was empty, in
 * reverse foreign-key order, with the tables' own triggers off for the
 * statement (one may guard a seeded row); all inside the restore's
 * transaction, so a failed restore leaves them in place.
 */
async function clearSeededRows(
  client: pg.Client,
  manifest: BackupManifest,
  log: (line: string) => void,
): Promise<void> {
  for (const dump of [...manifest.tables].reverse()) {
    const table = qualifiedName(dump);
    await client.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
    const { rowCount } = await client.query(`DELETE FROM ${table}`);
    await client.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
    if (rowCount)
      log(
        `${displayName(dump)}: ${rowCount} row(s) seeded by the migrations replaced by the backup's`,
      );
  }
}

/** A foreign key of a restored table, as the catalog defines it. */
interface ForeignKey {
  table: string;
  name: string;
  definition: string;
}

/**
 * Drops the foreign keys of the tables about to be loaded, inside the
 * restore's transaction: checked row by row during COPY they cost more than
 * the load itself, while adding them back checks every row in one scan.
 * A key that was NOT VALID comes back NOT VALID (its definition says so).
 */
async function dropForeignKeys(client: pg.Client, manifest: BackupManifest): Promise<ForeignKey[]> {
  const { rows } = await client.query<ForeignKey>(
    `SELECT conrelid::regclass::text AS table, conname AS name,
            pg_get_constraintdef(oid) AS definition
       FROM pg_constraint
      WHERE contype = 'f' AND conrelid = ANY($1::regclass[])
      ORDER BY conrelid, conname`,
    [manifest.tables.map((dump) => qualifiedName(dump))],
  );
  for (const key of rows) {
    await client.query(`ALTER TABLE ${key.table} DROP CONSTRAINT ${ident(key.name)}`);
  }
  return rows;
}

/**
 * Drops the indexes of the loaded tables that back no constraint (those stay:
 * primary keys and unique constraints check the rows as they load); built
 * again after the load, one sort each instead of one insertion per row.
 */
async function dropPlainIndexes(client: pg.Client, manifest: BackupManifest): Promise<string[]> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i
      WHERE i.indrelid = ANY($1::regclass[]) AND i.indisvalid
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
      ORDER BY 1`,
    [manifest.tables.map((dump) => qualifiedName(dump))],
  );
  for (const { name } of rows) await client.query(`DROP INDEX ${name}`);
  // An index of a partitioned table (the history's) reads back as
  // `ON ONLY <table>`, which would build it without its partitions' indexes:
  // built without ONLY, it makes them all again.
  return rows.map((row) => row.definition.replace(/ ON ONLY /, ' ON '));
}

/**
 * Makes the history's monthly partitions covering the backup's entries
 * before they load, so each lands in its month's partition as in the source
 * (and can be pruned by month), not in the default partition. The function
 * sets a short lock_timeout for the rest of the transaction; the restore's
 * own is put back.
 */
async function makeHistoryPartitions(
  client: pg.Client,
  dump: TableDump,
  log: (line: string) => void,
): Promise<void> {
  if (!dump.historyRange) return;
  const { rows } = await client.query<{ exists: boolean; lock_timeout: string }>(
    `SELECT to_regprocedure($1) IS NOT NULL AS exists, current_setting('lock_timeout') AS lock_timeout`,
    [`${ENSURE_PARTITIONS_FUNCTION}(timestamptz, timestamptz)`],
  );
  const { exists, lock_timeout: lockTimeout } = rows[0]!;
  if (!exists) {
    log(
      `${displayName(dump)}: no ${ENSURE_PARTITIONS_FUNCTION}() in the target; entries load into the default partition`,
    );
    return;
  }
  const { from, to } = dump.historyRange;
  const { rows: made } = await client.query<{ made: number }>(
    `SELECT ${ENSURE_PARTITIONS_FUNCTION}($1, $2) AS made`,
    [from, to],
  );
  await client.query(`SELECT set_config('lock_timeout', $1, true)`, [lockTimeout]);
  log(`${displayName(dump)}: ${made[0]?.made ?? 0} monthly partition(s) made for ${from} .. ${to}`);
}

/** The partitions the source's partitioned table had and the target's lacks, by the same names and bounds. */
async function makePartitions(
  client: pg.Client,
  dump: TableDump,
  log: (line: string) => void,
): Promise<void> {
  let made = 0;
  for (const { name, bound } of dump.partitions ?? []) {
    const { rows } = await client.query<{ found: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS found',
      [ident(name)],
    );
    if (rows[0]?.found) continue;
    await client.query(`CREATE TABLE ${ident(name)} PARTITION OF ${qualifiedName(dump)} ${bound}`);
    made++;
  }
  if (made > 0) log(`${displayName(dump)}: ${made} partition(s) made as the source had them`);
}

async function rebuildIndexes(
  client: pg.Client,
  definitions: string[],
  log: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  for (const definition of definitions) await client.query(definition);
  log(`${definitions.length} indexes built (${Date.now() - started} ms)`);
}

async function restoreForeignKeys(
  client: pg.Client,
  keys: ForeignKey[],
  log: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  for (const key of keys) {
    await client.query(
      `ALTER TABLE ${key.table} ADD CONSTRAINT ${ident(key.name)} ${key.definition}`,
    );
  }
  log(`${keys.length} foreign keys checked and restored (${Date.now() - started} ms)`);
}

async function checkTarget(client: pg.Client, dump: TableDump, seeded: boolean): Promise<void> {
  const name = displayName(dump);
  const { rows: found } = await client.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
      WHERE table_schema = coalesce($1, current_schema()) AND table_name = $2`,
    [dump.schema ?? null, dump.table],
  );
  const columns = new Set(found.map((row) => row.column_name));
  if (columns.size === 0) {
    throw new BackupError(
      `table ${name} does not exist in the target; migrate it to the backup's schema first ` +
        `(npm run db:migrate -- --to <the last migration in manifest.json>)`,
    );
  }
  const missing = dump.columns.filter((column) => !columns.has(column));
  if (missing.length > 0) {
    throw new BackupError(
      `table ${name} in the target lacks column(s) ${missing.join(', ')} that the backup holds; ` +
        'migrate the target to the backup schema first, nothing was restored',
    );
  }
  if (seeded) return;
  const { rows } = await client.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${qualifiedName(dump)}) AS found`,
  );
  if (rows[0]?.found) {
    throw new BackupError(
      `table ${name} in the target already holds rows; restore into an empty database ` +
        '(createdb gma_restore, without migrating it: db:restore migrates it), nothing was restored',
    );
  }
}

async function load(client: pg.Client, dir: string, dump: TableDump, log: (s: string) => void) {
  const started = Date.now();
  const counter = new HashingCounter();
  const columns = dump.columns.map(ident).join(', ');
  const table = qualifiedName(dump);
  // The rows come back exactly as they were: the tables' own triggers (the
  // audit triggers fill NULL audit fields on insert) stay off for the load.
  await client.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
  await pipeline(
    fs.createReadStream(path.join(dir, dump.file)),
    counter,
    client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`)),
  );
  await client.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
  if (counter.digest() !== dump.sha256 || counter.rows !== dump.rows) {
    throw new BackupError(
      `${dump.file} does not match the manifest (SHA-256 or row count differs): the file is damaged; ` +
        'nothing was restored',
    );
  }
  log(`${displayName(dump)}: ${dump.rows} rows loaded (${Date.now() - started} ms)`);
}

/**
 * Sets each sequence where the source's stood (or past the largest restored
 * value, if higher), so new rows after a restore get the ids they would have
 * got in the source and never collide with restored ones.
 */
async function setSequences(client: pg.Client, dump: TableDump): Promise<void> {
  const states =
    dump.sequences ??
    (dump.columns.includes('id') ? [{ column: 'id', lastValue: '0', isCalled: true }] : []);
  for (const { column, lastValue, isCalled } of states) {
    const { rows } = await client.query<{ sequence: string | null; max: string | null }>(
      `SELECT pg_get_serial_sequence($1, $2) AS sequence, max(${ident(column)})::text AS max
         FROM ${qualifiedName(dump)}`,
      [qualifiedName(dump), column],
    );
    const { sequence, max } = rows[0]!;
    if (!sequence) continue;
    const used = BigInt(lastValue) - (isCalled ? 0n : 1n);
    const value = max !== null && BigInt(max) > used ? BigInt(max) : used;
    if (value >= 1n)
      await client.query('SELECT setval($1, $2, true)', [sequence, value.toString()]);
    else await client.query('SELECT setval($1, 1, false)', [sequence]);
  }
}

async function verify(client: pg.Client, dump: TableDump): Promise<void> {
  const counter = new HashingCounter();
  await pipeline(
    client.query(copyTo(selectForCopy(qualifiedName(dump), dump.columns, dump.orderBy, ident))),
    counter,
    discard(),
  );
  const sha256 = counter.digest();
  if (sha256 !== dump.sha256 || counter.rows !== dump.rows) {
    throw new BackupError(
      `${displayName(dump)} reads back differently from the backup (${counter.rows} rows, expected ` +
        `${dump.rows}); the restore was rolled back`,
    );
  }
}
