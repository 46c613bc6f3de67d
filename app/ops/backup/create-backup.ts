import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { to as copyTo } from 'pg-copy-streams';
import { AUDIT_TOUCHED_TABLES as BACKUP_TABLES } from '../../audit/audit-spec';
import { ident } from '../../db/sql-identifier';
import { appliedMigrations, openStableClient, tableColumns } from '../pg-client';
import { HashingCounter, selectForCopy } from './copy-stream';
import {
  BackupError,
  MANIFEST_FORMAT,
  databaseIdentity,
  writeManifest,
  type BackupManifest,
  type TableDump,
} from './manifest';

export interface BackupOptions {
  /** Folder to create; it must not exist yet, or be empty. */
  dir: string;
  tables?: readonly string[];
  log?: (line: string) => void;
}

/**
 * Dumps the tables with COPY, all from one REPEATABLE READ snapshot so that
 * references between them agree, into `<table>.copy` files, then writes the
 * manifest (row counts, SHA-256, applied migrations) last.
 */
export async function createBackup(url: string, options: BackupOptions): Promise<BackupManifest> {
  const { dir, tables = BACKUP_TABLES, log = () => {} } = options;
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    throw new BackupError(`${dir} already exists and is not empty; choose a new folder with --out`);
  }
  fs.mkdirSync(dir, { recursive: true });

  const client = await openStableClient(url, 'gma-backup');
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows: version } = await client.query<{ v: string }>('SHOW server_version');
    const migrations = await appliedMigrations(client);
    const dumps: TableDump[] = [];
    for (const table of tables) {
      const columns = await tableColumns(client, table);
      if (columns.length === 0) {
        throw new BackupError(
          `table ${table} does not exist; run the migrations (npm run db:migrate) first`,
        );
      }
      const file = `${table}.copy`;
      const counter = new HashingCounter();
      const started = Date.now();
      await pipeline(
        client.query(copyTo(selectForCopy(table, columns, ident))),
        counter,
        fs.createWriteStream(path.join(dir, file)),
      );
      dumps.push({
        table,
        file,
        columns,
        rows: counter.rows,
        bytes: counter.bytes,
        sha256: counter.digest(),
      });
      log(`${table}: ${counter.rows} rows, ${counter.bytes} bytes (${Date.now() - started} ms)`);
    }
    await client.query('COMMIT');
    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT,
      createdAt: new Date().toISOString(),
      database: databaseIdentity(url),
      serverVersion: version[0]?.v ?? 'unknown',
      migrations,
      tables: dumps,
    };
    writeManifest(dir, manifest);
    return manifest;
  } finally {
    await client.end();
  }
}
