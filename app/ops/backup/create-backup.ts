import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { ident } from '../../db/sql-identifier';
import { HISTORY_TABLE as ENTRIES_TABLE } from '../../history/captured-table';
import { appliedMigrations, openStableClient } from '../pg-client';
import {
  EXCLUDED_TABLES,
  backupTables,
  displayName,
  qualifiedName,
  type TableSpec,
} from './catalog';
import { HashingCounter, selectForCopy } from './copy-stream';
import {
  BackupError,
  MANIFEST_FORMAT,
  databaseIdentity,
  writeManifest,
  type BackupManifest,
  type SequenceState,
  type TableDump,
} from './manifest';

export interface BackupOptions {
  /** Folder to create; it must not exist yet, or be empty. */
  dir: string;
  log?: (line: string) => void;
}

/**
 * Dumps every table of the app's schema and of the audit archive (read from
 * the catalog, in foreign-key order) with COPY, all from one REPEATABLE READ
 * snapshot so that references between them agree, into `<table>.copy`
 * files, then writes the manifest (row counts, SHA-256, sequences, applied
 * migrations) last. The migration history is recorded in the manifest and
 * login tokens are left out (see EXCLUDED_TABLES).
 */
export async function createBackup(url: string, options: BackupOptions): Promise<BackupManifest> {
  const { dir, log = () => {} } = options;
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    throw new BackupError(`${dir} already exists and is not empty; choose a new folder with --out`);
  }
  fs.mkdirSync(dir, { recursive: true });

  const client = await openStableClient(url, 'gma-backup');
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows: version } = await client.query<{ v: string }>('SHOW server_version');
    const migrations = await appliedMigrations(client);
    const tables = await backupTables(client);
    if (!tables.some((spec) => spec.table === 'users')) {
      throw new BackupError(
        'table users does not exist; run the migrations (npm run db:migrate) first',
      );
    }
    const dumps: TableDump[] = [];
    for (const spec of tables) dumps.push(await dumpTable(client, dir, spec, log));
    await client.query('COMMIT');
    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT,
      createdAt: new Date().toISOString(),
      database: databaseIdentity(url),
      serverVersion: version[0]?.v ?? 'unknown',
      migrations,
      tables: dumps,
      excluded: Object.entries(EXCLUDED_TABLES).map(([table, reason]) => ({ table, reason })),
    };
    writeManifest(dir, manifest);
    return manifest;
  } finally {
    await client.end();
  }
}

async function dumpTable(
  client: pg.Client,
  dir: string,
  spec: TableSpec,
  log: (line: string) => void,
): Promise<TableDump> {
  const name = displayName(spec);
  const file = `${name}.copy`;
  const counter = new HashingCounter();
  const started = Date.now();
  await pipeline(
    client.query(copyTo(selectForCopy(qualifiedName(spec), spec.columns, spec.orderBy, ident))),
    counter,
    fs.createWriteStream(path.join(dir, file)),
  );
  log(`${name}: ${counter.rows} rows, ${counter.bytes} bytes (${Date.now() - started} ms)`);
  return {
    ...(spec.schema === 'public' ? {} : { schema: spec.schema }),
    table: spec.table,
    file,
    columns: spec.columns,
    rows: counter.rows,
    bytes: counter.bytes,
    sha256: counter.digest(),
    orderBy: spec.orderBy,
    sequences: await sequenceStates(client, spec),
    ...(await historyRange(client, spec)),
    ...(await partitionsOf(client, spec)),
  };
}

/** A partitioned table's partitions, by name and bound (`FOR VALUES ...`, `DEFAULT`). */
async function partitionsOf(
  client: pg.Client,
  spec: TableSpec,
): Promise<Pick<TableDump, 'partitions'>> {
  const { rows } = await client.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = $1::regclass AND c.relispartition
      ORDER BY c.relname`,
    [qualifiedName(spec)],
  );
  return rows.length > 0 ? { partitions: rows } : {};
}

/** For the history table: the range of its entries' times, read in the backup's snapshot. */
async function historyRange(
  client: pg.Client,
  spec: TableSpec,
): Promise<Pick<TableDump, 'historyRange'>> {
  if (spec.schema !== 'public' || spec.table !== ENTRIES_TABLE) return {};
  const { rows } = await client.query<{ from: string | null; to: string | null }>(
    `SELECT to_json(min(at)) #>> '{}' AS from, to_json(max(at)) #>> '{}' AS to FROM ${qualifiedName(spec)}`,
  );
  const { from, to } = rows[0]!;
  return from && to ? { historyRange: { from, to } } : {};
}

/**
 * The sequences the table's columns draw from. Sequences are not
 * transactional: this reads their current state, never behind the snapshot's rows.
 */
async function sequenceStates(client: pg.Client, spec: TableSpec): Promise<SequenceState[]> {
  const states: SequenceState[] = [];
  for (const column of spec.sequenceColumns) {
    const { rows } = await client.query<{ sequence: string }>(
      'SELECT pg_get_serial_sequence($1, $2) AS sequence',
      [qualifiedName(spec), column],
    );
    const sequence = rows[0]?.sequence;
    if (!sequence) continue;
    const { rows: state } = await client.query<{ last_value: string; is_called: boolean }>(
      `SELECT last_value::text, is_called FROM ${sequence}`,
    );
    states.push({ column, lastValue: state[0]!.last_value, isCalled: state[0]!.is_called });
  }
  return states;
}
