import type pg from 'pg';
import { ident } from '../db/sql-identifier';
import { OperatorError } from '../operator-error';
import { HISTORY_DEFAULT_PARTITION } from './captured-table';
import { entryHashSql, PREV_HASH_COLUMN } from './chain-sql';
import type { SealLine } from './digests-file';
import { listPartitions, relationExists, type HistoryPartition } from './partition-catalog';
import { SEALS_TABLE } from './seal-sql';

/*
 * A seal is the SHA-256 of a stretch of the history: of the hashes of its
 * entries, each recomputed from the entry's columns (so it covers entries
 * written before the chain too), in (at, id) order. It is recorded in
 * history_seals and printed for the operator to keep outside the database.
 *
 * Only closed months are sealed: a month whose end has passed and that no
 * open transaction began before (an entry's `at` is never earlier than its
 * transaction's start, so once those are over, no entry can still arrive in
 * that month but a hand-written one). The current month keeps growing and
 * a seal of it would be wrong by the next write. Sealing again recomputes:
 * an unchanged partition keeps its seal (nothing is written), a changed one
 * is refused and named; a seal is never overwritten.
 */

/** A seal as recorded in history_seals. */
export interface RecordedSeal extends SealLine {
  sealedAt: Date;
  prunedAt: Date | null;
}

/** The digest and entry count of the entries of `table` matching `where` (SQL over alias h). */
export async function computeDigest(
  client: pg.ClientBase,
  table: string,
  where = 'true',
  params: unknown[] = [],
): Promise<{ entries: number; digest: string }> {
  const { rows } = await client.query<{ entries: string; digest: string }>(
    `SELECT count(*)::text AS entries,
            encode(sha256(COALESCE(string_agg(
              ${entryHashSql('to_jsonb(h)', 'h.at', `h.${PREV_HASH_COLUMN}`)}, ''::bytea
              ORDER BY h.at, h.id), ''::bytea)), 'hex') AS digest
       FROM ${ident(table)} h WHERE ${where}`,
    params,
  );
  return { entries: Number(rows[0]!.entries), digest: rows[0]!.digest };
}

/** Whether the seals table exists (it does not before its migration). */
export function sealsTableExists(client: pg.ClientBase): Promise<boolean> {
  return relationExists(client, SEALS_TABLE);
}

/** Every recorded seal, oldest first. */
export async function recordedSeals(client: pg.ClientBase): Promise<RecordedSeal[]> {
  if (!(await sealsTableExists(client))) return [];
  const { rows } = await client.query<{
    partition: string;
    starts: Date;
    ends: Date;
    entries: string;
    digest: string;
    sealed_at: Date;
    pruned_at: Date | null;
  }>(
    `SELECT partition, starts, ends, entries::text AS entries, encode(digest, 'hex') AS digest,
            sealed_at, pruned_at
       FROM ${SEALS_TABLE} ORDER BY starts, ends, partition`,
  );
  return rows.map((row) => ({
    partition: row.partition,
    starts: row.starts,
    ends: row.ends,
    entries: Number(row.entries),
    digest: row.digest,
    sealedAt: row.sealed_at,
    prunedAt: row.pruned_at,
  }));
}

/** The start of the oldest transaction still open (another session's, or a prepared one). */
async function oldestOpenTransaction(client: pg.ClientBase): Promise<Date | null> {
  const { rows } = await client.query<{ oldest: Date | null }>(
    `SELECT least((SELECT min(xact_start) FROM pg_stat_activity
                    WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid()
                      AND datname = current_database()),
                  (SELECT min(prepared) FROM pg_prepared_xacts
                    WHERE database = current_database())) AS oldest`,
  );
  return rows[0]?.oldest ?? null;
}

/** Why a partition is not sealable yet, or null when it is (a closed month). */
export async function notSealableBecause(
  client: pg.ClientBase,
  partition: HistoryPartition,
): Promise<string | null> {
  const { rows } = await client.query<{ now: Date }>('SELECT clock_timestamp() AS now');
  if (partition.ends.getTime() > rows[0]!.now.getTime()) {
    return 'its month is not over';
  }
  const oldest = await oldestOpenTransaction(client);
  if (oldest && oldest.getTime() < partition.ends.getTime()) {
    return `a transaction begun before its end (at ${oldest.toISOString()}) is still open`;
  }
  return null;
}

/** A partition changed since it was sealed: sealing it again is refused. */
export class SealMismatchError extends OperatorError {
  override readonly name = 'SealMismatchError';
}

export type SealOutcome = 'sealed' | 'unchanged';

const LOCK_TIMEOUT_MS = 1000;

/**
 * Seals one closed partition: its digest computed under a SHARE lock (no
 * write can land in it meanwhile; writers of other months do not wait) and
 * recorded. A partition sealed before is recomputed: unchanged, nothing is
 * written; changed, SealMismatchError.
 */
export async function sealPartition(
  client: pg.ClientBase,
  partition: HistoryPartition,
): Promise<SealOutcome> {
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL lock_timeout = ${LOCK_TIMEOUT_MS}`);
    await client.query(`LOCK TABLE ${ident(partition.name)} IN SHARE MODE`);
    const { entries, digest } = await computeDigest(client, partition.name);
    const { rows } = await client.query<{ digest: string; sealed_at: Date }>(
      `SELECT encode(digest, 'hex') AS digest, sealed_at FROM ${SEALS_TABLE}
        WHERE partition = $1 AND ends = $2`,
      [partition.name, partition.ends],
    );
    const earlier = rows[0];
    if (earlier) {
      await client.query('COMMIT');
      if (earlier.digest === digest) return 'unchanged';
      throw new SealMismatchError(
        `${partition.name} no longer matches its seal of ${earlier.sealed_at.toISOString()}: ` +
          'its entries changed since; the seal was left as it was. Run npm run db:history-verify ' +
          '(with --digests and the file you kept) to find the entry',
      );
    }
    await client.query(
      `INSERT INTO ${SEALS_TABLE} (partition, starts, ends, entries, digest)
       VALUES ($1, $2, $3, $4, decode($5, 'hex'))`,
      [partition.name, partition.starts, partition.ends, entries, digest],
    );
    await client.query('COMMIT');
    return 'sealed';
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if ((error as { code?: string }).code === '55P03') {
      throw new OperatorError(
        `${partition.name} is being written to (its lock was not granted within ` +
          `${LOCK_TIMEOUT_MS} ms); nothing was sealed for it. Run the seal again in a moment`,
      );
    }
    throw error;
  }
}

/** What a seal run did: each partition and what became of it. */
export interface SealReport {
  sealed: HistoryPartition[];
  unchanged: HistoryPartition[];
  skipped: Array<{ partition: HistoryPartition; reason: string }>;
}

/** Seals every closed monthly partition not sealed yet, and checks those sealed before. */
export async function sealClosedPartitions(
  client: pg.ClientBase,
  log: (line: string) => void,
): Promise<SealReport> {
  const report: SealReport = { sealed: [], unchanged: [], skipped: [] };
  for (const partition of await listPartitions(client)) {
    const reason = await notSealableBecause(client, partition);
    if (reason) {
      report.skipped.push({ partition, reason });
      continue;
    }
    const outcome = await sealPartition(client, partition);
    log(`${partition.name}: ${outcome === 'sealed' ? 'sealed' : 'sealed before, unchanged'}`);
    report[outcome].push(partition);
  }
  return report;
}

/**
 * Records the digest of the default partition's entries older than
 * `before`, which a prune is about to delete, as a pruned seal (so that
 * verify accepts the entries that chained to them). None: nothing recorded.
 */
export async function sealDefaultPartitionPrune(client: pg.ClientBase, before: Date) {
  const where = 'h.at < $1';
  const { entries, digest } = await computeDigest(client, HISTORY_DEFAULT_PARTITION, where, [
    before,
  ]);
  if (entries === 0) return;
  await client.query(
    `INSERT INTO ${SEALS_TABLE} (partition, starts, ends, entries, digest, pruned_at)
     SELECT $1, min(h.at), $2, $3, decode($4, 'hex'), clock_timestamp()
       FROM ${ident(HISTORY_DEFAULT_PARTITION)} h WHERE ${where.replace('$1', '$2')}
     ON CONFLICT (partition, ends) DO NOTHING`,
    [HISTORY_DEFAULT_PARTITION, before, entries, digest],
  );
}
