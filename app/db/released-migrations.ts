import fs from 'node:fs';
import path from 'node:path';

/**
 * The checked-in list of released migrations: file name -> the record of
 * what it does (its transcript, under app/db/released/). A released
 * migration's behaviour never changes; see docs/migrations.md, "Freezing policy".
 */
export const RELEASED_FILE = path.join(__dirname, 'released-migrations.json');

/** Folder of the transcripts, one JSON file per released migration. */
export const TRANSCRIPTS_DIR = path.join(__dirname, 'released');

/** Released migration file name -> its transcript's path from the project root. */
export type ReleasedMigrations = Record<string, string>;

/** The released migrations, by file name, with the path of each one's transcript. */
export function readReleased(file = RELEASED_FILE): ReleasedMigrations {
  return fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ReleasedMigrations)
    : {};
}

/** The transcript file of a migration: its name with `.json` for `.ts`. */
export function transcriptFile(migration: string, dir = TRANSCRIPTS_DIR): string {
  return path.join(dir, `${migration.replace(/\.(c?ts|c?js)$/, '')}.json`);
}
