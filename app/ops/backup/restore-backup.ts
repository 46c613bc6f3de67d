import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { migrateUp } from '../../db/migration-runner';
import { createSequelize } from '../../db/sequelize';
import { ident } from '../../db/sql-identifier';
import { appliedMigrations, openStableClient, tableColumns } from '../pg-client';
import { HashingCounter, discard, selectForCopy } from './copy-stream';
import { BackupError, readManifest, type BackupManifest, type TableDump } from './manifest';

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
 * Loads a backup into an empty database, which is first migrated to the
 * backup's last migration (rows the migrations seed are replaced by the
 * backup's), or into one already migrated whose tables are empty. All tables are loaded in one
 * transaction and read back; the transaction commits only if every table's
 * row count and SHA-256 match the manifest, so a restore is all or nothing.
 */
export async function restoreBackup(url: string, options: RestoreOptions): Promise<RestoreResult> {
  const { dir, log = () => {} } = options;
  const manifest = readManifest(dir);
  for (const dump of manifest.tables) {
    if (!fs.existsSync(path.join(dir, dump.file))) {
      throw new BackupError(`${path.join(dir, dump.file)} is missing; the backup is incomplete`);
    }
  }

  const migrated = await migrateEmptyTarget(url, manifest, log);
  const client = await openStableClient(url, 'gma-restore');
  try {
    // Rows in a target we migrated from empty were seeded by the migrations
    // (e.g. a system user); the backup holds their originals.
    const seeded = migrated.length > 0;
    for (const dump of manifest.tables) await checkTarget(client, dump, seeded);
    await client.query('BEGIN');
    try {
      if (seeded) await clearSeededRows(client, manifest, log);
      for (const dump of manifest.tables) await load(client, dir, dump, log);
      for (const dump of manifest.tables) await verify(client, dump);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    log(`verified: every table's row count and SHA-256 match the manifest`);
    return { manifest, migrated };
  } finally {
    await client.end();
  }
}

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
  log(`target database is empty: migrating it to ${last}, the backup's schema`);
  const sequelize = createSequelize(url);
  try {
    return await migrateUp(sequelize, url, { to: last, log });
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
    const table = ident(dump.table);
    await client.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
    const { rowCount } = await client.query(`DELETE FROM ${table}`);
    await client.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
    if (rowCount)
      log(`${dump.table}: ${rowCount} row(s) seeded by the migrations replaced by the backup's`);
  }
}

async function checkTarget(client: pg.Client, dump: TableDump, seeded: boolean): Promise<void> {
  const columns = new Set(await tableColumns(client, dump.table));
  if (columns.size === 0) {
    throw new BackupError(
      `table ${dump.table} does not exist in the target; migrate it to the backup's schema first ` +
        `(npm run db:migrate -- --to <the last migration in manifest.json>)`,
    );
  }
  const missing = dump.columns.filter((column) => !columns.has(column));
  if (missing.length > 0) {
    throw new BackupError(
      `table ${dump.table} in the target lacks column(s) ${missing.join(', ')} that the backup holds; ` +
        'migrate the target to the backup schema first, nothing was restored',
    );
  }
  if (seeded) return;
  const { rows } = await client.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${ident(dump.table)}) AS found`,
  );
  if (rows[0]?.found) {
    throw new BackupError(
      `table ${dump.table} in the target already holds rows; restore into an empty database ` +
        '(createdb gma_restore, without migrating it: db:restore migrates it), nothing was restored',
    );
  }
}

async function load(client: pg.Client, dir: string, dump: TableDump, log: (s: string) => void) {
  const started = Date.now();
  const counter = new HashingCounter();
  const columns = dump.columns.map(ident).join(', ');
  await pipeline(
    fs.createReadStream(path.join(dir, dump.file)),
    counter,
    client.query(copyFrom(`COPY ${ident(dump.table)} (${columns}) FROM STDIN`)),
  );
  if (counter.digest() !== dump.sha256 || counter.rows !== dump.rows) {
    throw new BackupError(
      `${dump.file} does not match the manifest (SHA-256 or row count differs): the file is damaged; ` +
        'nothing was restored',
    );
  }
  // Restored ids must not be handed out again by the table's sequence.
  if (dump.columns.includes('id') && dump.rows > 0) {
    await client.query(
      `SELECT setval(pg_get_serial_sequence($1, 'id'), max(id)) FROM ${ident(dump.table)}`,
      [dump.table],
    );
  }
  log(`${dump.table}: ${dump.rows} rows loaded (${Date.now() - started} ms)`);
}

async function verify(client: pg.Client, dump: TableDump): Promise<void> {
  const counter = new HashingCounter();
  await pipeline(
    client.query(copyTo(selectForCopy(dump.table, dump.columns, ident))),
    counter,
    discard(),
  );
  const sha256 = counter.digest();
  if (sha256 !== dump.sha256 || counter.rows !== dump.rows) {
    throw new BackupError(
      `${dump.table} reads back differently from the backup (${counter.rows} rows, expected ` +
        `${dump.rows}); the restore was rolled back`,
    );
  }
}
