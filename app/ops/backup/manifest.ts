import fs from 'node:fs';
import path from 'node:path';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 1;

/** A sequence a table's column draws from, as it stood when the backup was taken. */
export interface SequenceState {
  column: string;
  lastValue: string;
  isCalled: boolean;
}

/** One table's dump: its file, its columns in COPY order, and what to check on restore. */
export interface TableDump {
  /** Absent in older manifests: `public`. */
  schema?: string;
  table: string;
  file: string;
  columns: string[];
  rows: number;
  bytes: number;
  /** SHA-256 of the COPY text, which is also the file's content. */
  sha256: string;
  /** Columns the rows are dumped (and hashed) in order of; absent in older manifests: the first. */
  orderBy?: string[];
  /** Sequences to set on restore; absent in older manifests (then `id` is set to its maximum). */
  sequences?: SequenceState[];
  /**
   * The history's oldest and newest entry time (ISO), for the history table
   * only: the restore makes the monthly partitions covering them before the
   * load, so each entry lands in its month's partition, not the default one.
   */
  historyRange?: { from: string; to: string };
  /**
   * For a partitioned table (the history, or the history a rollback kept
   * aside): its partitions, by name and bound, so the restore makes the same
   * ones before the load.
   */
  partitions?: Array<{ name: string; bound: string }>;
}

/** A table of the database the backup leaves out on purpose, and why. */
export interface ExcludedTable {
  table: string;
  reason: string;
}

/** What a backup folder holds; written last, so a folder without one is an unfinished backup. */
export interface BackupManifest {
  format: number;
  createdAt: string;
  /** `host:port/database` of the source, to tell which database a backup belongs to. */
  database: string;
  serverVersion: string;
  /** Migrations applied in the source when the snapshot was taken. */
  migrations: string[];
  /** In foreign-key order: the order a restore loads them in. */
  tables: TableDump[];
  excluded?: ExcludedTable[];
}

/** A backup folder is missing, unfinished or damaged; the message says which. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
}

/** `host:port/database` of a URL: how manifests name the database, without credentials. */
export function databaseIdentity(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}

/** Reads and checks a backup folder's manifest. */
export function readManifest(dir: string): BackupManifest {
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(file)) {
    throw new BackupError(
      `${file} does not exist: ${dir} is not a backup folder, or its backup did not finish. ` +
        'Point --from at a folder written by `npm run db:backup`.',
    );
  }
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as BackupManifest;
  } catch (error) {
    throw new BackupError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (manifest.format !== MANIFEST_FORMAT || !Array.isArray(manifest.tables)) {
    throw new BackupError(
      `${file} has format ${String(manifest.format)}; this version reads format ${MANIFEST_FORMAT}`,
    );
  }
  return manifest;
}

/** Writes the manifest through a temporary file, so a crash never leaves half a manifest. */
export function writeManifest(dir: string, manifest: BackupManifest): void {
  const file = path.join(dir, MANIFEST_FILE);
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}

/** Every finished backup under `root` (one folder per backup), newest first. */
export function listBackups(root: string): Array<{ dir: string; manifest: BackupManifest }> {
  if (!fs.existsSync(root)) return [];
  const found: Array<{ dir: string; manifest: BackupManifest }> = [];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(root, entry.name);
    try {
      found.push({ dir, manifest: readManifest(dir) });
    } catch {
      // Unfinished or foreign folders are not backups; preflight reports only finished ones.
    }
  }
  return found.sort((a, b) => b.manifest.createdAt.localeCompare(a.manifest.createdAt));
}
