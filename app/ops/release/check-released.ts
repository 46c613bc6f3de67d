import { listMigrationFiles, MIGRATIONS_DIR } from '../../db/migration-files';
import { CHECKED_IN, readTranscripts, type RecordLocation } from './record-store';
import { replayMigrations } from './replay';
import {
  compareTranscripts,
  type MigrationTranscript,
  type TranscriptMismatch,
} from './transcript';

/** A replay of every migration on disk, compared with the released records. */
export interface ReleaseCheck {
  /** Released migrations whose up or down now does something else. */
  mismatches: TranscriptMismatch[];
  /** Released migrations whose file is gone. */
  missing: string[];
  /** Migrations on disk not released yet, with what they did in this replay. */
  unreleased: MigrationTranscript[];
  /** Every transcript of this replay, by migration name. */
  replayed: Map<string, MigrationTranscript>;
}

/**
 * Replays every migration on disk, in order, on a scratch database of
 * `serverUrl`'s server (see replay.ts), and compares the released ones with
 * their records.
 */
export async function checkReleased(
  serverUrl: string,
  at: RecordLocation = CHECKED_IN,
  dir = MIGRATIONS_DIR,
): Promise<ReleaseCheck> {
  const recorded = readTranscripts(at);
  const onDisk = listMigrationFiles(dir);
  const released = new Set(recorded.map((t) => t.migration));
  const replay = await replayMigrations(serverUrl, onDisk);
  const replayed = new Map(replay.map((t) => [t.migration, t]));
  return {
    mismatches: compareTranscripts(
      recorded.filter((t) => onDisk.includes(t.migration)),
      replay,
    ),
    missing: [...released].filter((name) => !onDisk.includes(name)),
    unreleased: replay.filter((t) => !released.has(t.migration)),
    replayed,
  };
}
