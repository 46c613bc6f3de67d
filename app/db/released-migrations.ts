import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS_DIR, listMigrationFiles } from './migration-files';

/** The checked-in record of released migrations: file name -> sha256 of its content. */
export const RELEASED_FILE = path.join(__dirname, 'released-migrations.json');

export type ReleasedMigrations = Record<string, string>;

/** sha256 of a migration file, line endings normalised so a checkout on another OS agrees. */
export function migrationHash(file: string): string {
  const text = fs.readFileSync(file, 'utf8').replace(/\r\n/g, '\n');
  return createHash('sha256').update(text).digest('hex');
}

export function readReleased(file = RELEASED_FILE): ReleasedMigrations {
  return fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ReleasedMigrations)
    : {};
}

/** What differs between the migrations on disk and the released record. */
export interface ReleaseCheck {
  /** Released files whose content changed: editing them forks databases already migrated. */
  edited: string[];
  /** Released files that are gone. */
  missing: string[];
  /** Files not released yet (allowed; record them when they ship). */
  unreleased: string[];
}

export function checkReleased(dir = MIGRATIONS_DIR, released = readReleased()): ReleaseCheck {
  const onDisk = listMigrationFiles(dir);
  return {
    edited: onDisk.filter((n) => released[n] && released[n] !== migrationHash(path.join(dir, n))),
    missing: Object.keys(released).filter((n) => !onDisk.includes(n)),
    unreleased: onDisk.filter((n) => !released[n]),
  };
}

/** Records every migration on disk as released (existing entries are kept as they are). */
export function recordReleased(dir = MIGRATIONS_DIR, file = RELEASED_FILE): string[] {
  const released = readReleased(file);
  const added = listMigrationFiles(dir).filter((n) => !released[n]);
  for (const name of added) released[name] = migrationHash(path.join(dir, name));
  const sorted = Object.fromEntries(
    Object.entries(released).sort(([a], [b]) => a.localeCompare(b)),
  );
  fs.writeFileSync(file, `${JSON.stringify(sorted, null, 2)}\n`);
  return added;
}
