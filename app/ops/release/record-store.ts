import fs from 'node:fs';
import path from 'node:path';
import {
  readReleased,
  RELEASED_FILE,
  transcriptFile,
  TRANSCRIPTS_DIR,
} from '../../db/released-migrations';
import type { MigrationTranscript } from './transcript';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Where the records live; tests point it at a scratch copy. */
export interface RecordLocation {
  list: string;
  dir: string;
}

export const CHECKED_IN: RecordLocation = { list: RELEASED_FILE, dir: TRANSCRIPTS_DIR };

/** The recorded transcripts of every released migration, in name order; throws if one is missing. */
export function readTranscripts(at: RecordLocation = CHECKED_IN): MigrationTranscript[] {
  return Object.keys(readReleased(at.list))
    .sort()
    .map((name) => {
      const file = transcriptFile(name, at.dir);
      if (!fs.existsSync(file)) {
        throw new Error(`${name} is released but its transcript ${file} is missing`);
      }
      return JSON.parse(fs.readFileSync(file, 'utf8')) as MigrationTranscript;
    });
}

/** Writes transcripts and adds their migrations to the released list. */
export function writeTranscripts(
  transcripts: readonly MigrationTranscript[],
  at: RecordLocation = CHECKED_IN,
): void {
  fs.mkdirSync(at.dir, { recursive: true });
  const released = readReleased(at.list);
  for (const transcript of transcripts) {
    const file = transcriptFile(transcript.migration, at.dir);
    fs.writeFileSync(file, `${JSON.stringify(transcript, null, 2)}\n`);
    released[transcript.migration] = path.relative(PROJECT_ROOT, file).split(path.sep).join('/');
  }
  const sorted = Object.fromEntries(
    Object.entries(released).sort(([a], [b]) => a.localeCompare(b)),
  );
  fs.writeFileSync(at.list, `${JSON.stringify(sorted, null, 2)}\n`);
}
