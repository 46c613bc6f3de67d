import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS_DIR, listMigrationFiles } from './migration-files';
import { importClosure, PROJECT_ROOT, projectPath } from './import-closure';

/** The checked-in record of released migrations. */
export const RELEASED_FILE = path.join(__dirname, 'released-migrations.json');

/**
 * Per released migration (by file name): every project file it runs, the
 * migration itself included, by path from the project root (with `/`), and
 * the sha256 of each. A migration's behaviour lives in its helpers too, so a
 * helper edited after release forks databases just as an edited migration does.
 */
export type ReleasedMigrations = Record<string, Record<string, string>>;

/** sha256 of a file, line endings normalised so a checkout on another OS agrees. */
export function fileHash(file: string): string {
  const text = fs.readFileSync(file, 'utf8').replace(/\r\n/g, '\n');
  return createHash('sha256').update(text).digest('hex');
}

/** The record as stored: the first format held one file hash per migration. */
type StoredRecord = Record<string, string | Record<string, string>>;

function readStored(file: string): StoredRecord {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as StoredRecord) : {};
}

/**
 * The released record. An entry of the first format (the migration file's
 * hash alone) reads as a closure of that one file until `recordReleased`
 * upgrades it, so it is still checked meanwhile.
 */
export function readReleased(
  file = RELEASED_FILE,
  dir = MIGRATIONS_DIR,
  root = PROJECT_ROOT,
): ReleasedMigrations {
  const stored = readStored(file);
  return Object.fromEntries(
    Object.entries(stored).map(([name, entry]) => [
      name,
      typeof entry === 'string' ? { [projectPath(path.join(dir, name), root)]: entry } : entry,
    ]),
  );
}

/** The hashes of every project file `migration` runs, as they are on disk now. */
export function closureHashes(migrationFile: string, root = PROJECT_ROOT): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const file of importClosure(migrationFile, { root, exclude: [RELEASED_FILE] })) {
    hashes[projectPath(file, root)] = fileHash(file);
  }
  return hashes;
}

/** One released migration whose code differs from its release. */
export interface ReleasedChange {
  /** The migration's file name. */
  migration: string;
  /** The file that differs, from the project root: the migration itself or a file it imports. */
  file: string;
  /** `edited`: its content differs; `gone`: no longer on disk, or no longer imported. */
  change: 'edited' | 'gone';
}

/** What differs between the migrations on disk and the released record. */
export interface ReleaseCheck {
  /** Released migrations whose own file or an imported file changed: databases would fork. */
  changed: ReleasedChange[];
  /** Released migration files that are gone. */
  missing: string[];
  /** Files not released yet (allowed; record them when they ship). */
  unreleased: string[];
}

/** What an operator reads when a release check fails, and what to do about it. */
export const RELEASED_CHANGE_HELP =
  'Restore the file; to change behaviour, add a new migration (and a new helper file); ' +
  'the released migration keeps the old code.';

/** One line naming the migration and the file that differs. */
export function describeChange({ migration, file, change }: ReleasedChange): string {
  const what = change === 'edited' ? 'changed' : 'is gone';
  return path.posix.basename(file) === migration
    ? `${migration} (${file}) ${what} since release`
    : `${migration} imports ${file}, which ${what} since release`;
}

/**
 * Compares every released migration, and every file it imported at release,
 * with the record. A file imported since can only come in through an edited
 * import line in a recorded file, which is reported already.
 */
export function checkReleased(
  dir = MIGRATIONS_DIR,
  released = readReleased(RELEASED_FILE, dir),
  root = PROJECT_ROOT,
): ReleaseCheck {
  const onDisk = listMigrationFiles(dir);
  const changed: ReleasedChange[] = [];
  for (const migration of onDisk.filter((n) => released[n])) {
    const recorded = released[migration]!;
    const now = closureHashes(path.join(dir, migration), root);
    for (const [file, hash] of Object.entries(recorded)) {
      if (now[file] === undefined) changed.push({ migration, file, change: 'gone' });
      else if (now[file] !== hash) changed.push({ migration, file, change: 'edited' });
    }
  }
  return {
    changed,
    missing: Object.keys(released).filter((n) => !onDisk.includes(n)),
    unreleased: onDisk.filter((n) => !released[n]),
  };
}

/** What `recordReleased` wrote. */
export interface RecordResult {
  /** Migrations recorded for the first time. */
  added: string[];
  /** First-format entries whose file was unchanged, now recorded with their imports. */
  upgraded: string[];
}

/**
 * Records every migration on disk as released, with the files it imports.
 * Entries already recorded are kept as they are, except first-format ones
 * (the file's hash alone) whose file is unchanged: they gain their imports
 * as they are now. One whose file changed stays, and keeps failing the check.
 */
export function recordReleased(
  dir = MIGRATIONS_DIR,
  file = RELEASED_FILE,
  root = PROJECT_ROOT,
): RecordResult {
  const stored = readStored(file);
  const result: RecordResult = { added: [], upgraded: [] };
  for (const name of listMigrationFiles(dir)) {
    const entry = stored[name];
    const migrationFile = path.join(dir, name);
    if (entry === undefined) {
      stored[name] = closureHashes(migrationFile, root);
      result.added.push(name);
    } else if (typeof entry === 'string' && entry === fileHash(migrationFile)) {
      stored[name] = closureHashes(migrationFile, root);
      result.upgraded.push(name);
    }
  }
  const sorted = Object.fromEntries(Object.entries(stored).sort(([a], [b]) => a.localeCompare(b)));
  fs.writeFileSync(file, `${JSON.stringify(sorted, null, 2)}\n`);
  return result;
}
