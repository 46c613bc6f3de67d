import type pg from 'pg';
import { msSince, nextBatchSize, Progress } from './pass-progress';
import { migrationTuning, type MigrationTuning } from './tuning';

/**
 * One batched data pass. Keys are walked in ascending order; each batch is
 * one statement (so its own transaction) over the key range `($1, $2]`.
 */
export interface BatchedPass {
  /** Name in progress lines, e.g. "campaigns: audit backfill". */
  label: string;
  /** Returns `todo` (rows to process) and `first` (smallest key to process), one row. */
  countSql: string;
  /** Returns the `key` at offset `$2` after key `$1` (no row: the last batch). */
  nextKeySql: string;
  /** Processes keys in `($1, $2]`; returns one row with `n`, the rows it changed. */
  batchSql: string;
}

const LAST_KEY = 2 ** 31 - 1;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a pass in keyset batches sized by time: each batch aims at the
 * tuning's target (about 50 ms keeps a concurrent writer's worst wait on a
 * locked row near that), growing or shrinking the row count by at most 2x
 * per batch. Each batch commits on its own, and the pass only touches rows
 * that still need it, so a killed run resumes where it stopped.
 * Returns the rows changed.
 */
/**
 * How batches skip waiting for the WAL flush. `transaction`: each batch in
 * BEGIN; SET LOCAL synchronous_commit = off; ...; COMMIT (safe behind a
 * transaction pooler). `v1-session`: one session-wide SET before the batches
 * and RESET after, each batch its own implicit transaction: what the
 * 2026-11-24 audit backfills released with (docs/migrations.md, "Freezing policy").
 */
export type BatchCommit = 'transaction' | 'v1-session';

export async function runBatchedPass(
  client: pg.ClientBase,
  pass: BatchedPass,
  tuning: MigrationTuning = migrationTuning(),
  commit: BatchCommit = 'transaction',
): Promise<number> {
  const counted = await client.query<{ todo: string; first: number | null }>(pass.countSql);
  const todo = Number(counted.rows[0]?.todo ?? 0);
  const first = counted.rows[0]?.first;
  if (todo === 0 || first === null || first === undefined) return 0;

  if (commit === 'v1-session') await client.query('SET synchronous_commit = off');
  const progress = new Progress(pass.label, todo);
  let size = tuning.firstBatch;
  let lower = first - 1;
  let done = 0;
  for (;;) {
    const started = process.hrtime.bigint();
    const next = await client.query<{ key: number }>(pass.nextKeySql, [lower, size - 1]);
    const upper = next.rows[0]?.key ?? LAST_KEY;
    // A batch lost in a crash is redone by the re-run (it only touches rows
    // still needing it), so waiting for each commit's flush buys nothing.
    done += await runBatch(client, pass, [lower, upper], commit);
    progress.update(done);
    if (upper === LAST_KEY) break;
    lower = upper;
    size = nextBatchSize(size, msSince(started), tuning);
    if (tuning.batchPauseMs > 0) await sleep(tuning.batchPauseMs);
  }
  if (commit === 'v1-session') await client.query('RESET synchronous_commit');
  progress.finish(done);
  return done;
}

/** One batch over `($1, $2]`; returns the rows it changed. */
async function runBatch(
  client: pg.ClientBase,
  pass: BatchedPass,
  range: [number, number],
  commit: BatchCommit,
): Promise<number> {
  if (commit === 'v1-session') {
    const batch = await client.query<{ n: string }>(pass.batchSql, range);
    return Number(batch.rows[0]?.n ?? 0);
  }
  await client.query('BEGIN');
  try {
    await client.query('SET LOCAL synchronous_commit = off');
    const batch = await client.query<{ n: string }>(pass.batchSql, range);
    await client.query('COMMIT');
    return Number(batch.rows[0]?.n ?? 0);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
