import type pg from 'pg';
import { runOnlineDdl } from '../db/migration-lib/online-ddl';
import { ident } from '../db/sql-identifier';
import { HISTORY_ARCHIVE_TABLE } from './captured-table';
import { relationExists } from './partition-catalog';

/*
 * A rollback of the history table's migration renames a table holding
 * entries to HISTORY_ARCHIVE_TABLE (its partitions and sequence go with it);
 * re-applying the migration renames it back. It is deleted only here, on an
 * operator's request.
 */

export interface ArchiveSummary {
  entries: number;
  oldest: Date | null;
  newest: Date | null;
}

/** What the archived history holds, or null when there is none. */
export async function archivedHistorySummary(
  client: pg.ClientBase,
): Promise<ArchiveSummary | null> {
  if (!(await relationExists(client, HISTORY_ARCHIVE_TABLE))) return null;
  const { rows } = await client.query<{
    entries: string;
    oldest: Date | null;
    newest: Date | null;
  }>(
    `SELECT count(*)::text AS entries, min(at) AS oldest, max(at) AS newest
       FROM ${ident(HISTORY_ARCHIVE_TABLE)}`,
  );
  const row = rows[0]!;
  return { entries: Number(row.entries), oldest: row.oldest, newest: row.newest };
}

/** Drops the archived history with its partitions and sequence (nobody writes to it). */
export async function purgeArchivedHistory(client: pg.ClientBase): Promise<void> {
  await runOnlineDdl(client, [`DROP TABLE IF EXISTS ${ident(HISTORY_ARCHIVE_TABLE)}`], []);
}
