import type pg from 'pg';
import { OperatorError } from '../../operator-error';
import { isLockTimeout, longTransactions, pauseBeforeRetry } from './lock-retry';
import { migrationLog } from './migration-log';
import { msSince, nextBatchSize, Progress } from './pass-progress';
import { migrationTuning, type MigrationTuning } from './tuning';

/**
 * A data pass over sparse candidate rows. Unlike a key-range batch (which
 * scans every row between two sparse candidates, and holds the locks it took
 * early until that scan ends), each batch names its rows: the next candidate
 * ids after the last one done, a bounded count of them.
 */
export interface CandidatePass {
  /** Name in progress lines, e.g. "items: clear modifiers of unattributed updates". */
  label: string;
  /** Returns `todo`, the candidates there are, in one row (0: nothing to do, no batch runs). */
  countSql: string;
  /** Returns the `id`s of at most `$2` candidates after id `$1`, ascending. */
  candidatesSql: string;
  /**
   * Changes the rows among ids `$1` (int[]) that still need it, locking only
   * those, in id order (`ORDER BY t.id FOR UPDATE OF t`); one row with `n`.
   */
  batchSql: string;
}

/** A candidate row stayed locked by another transaction through every retry. */
export class CandidateLockTimeoutError extends OperatorError {
  override readonly name = 'CandidateLockTimeoutError';
}

/**
 * Runs a candidate pass: each batch in its own short transaction, without
 * waiting for the WAL flush (a batch lost in a crash is redone by the
 * re-run, which only touches rows still needing it) and with the tuning's
 * lock_timeout, so a writer queued behind a row the batch has locked waits
 * at most about that long. A batch that times out is retried smaller after
 * a short pause. The row count adapts to the tuning's time target.
 * Returns the rows changed.
 */
export async function runCandidatePass(
  client: pg.ClientBase,
  pass: CandidatePass,
  tuning: MigrationTuning = migrationTuning(),
): Promise<number> {
  const counted = await client.query<{ todo: string }>(pass.countSql);
  const todo = Number(counted.rows[0]?.todo ?? 0);
  if (todo === 0) return 0;

  const progress = new Progress(pass.label, todo);
  let size = tuning.firstBatch;
  let after = 0; // row ids are serial keys, all above 0
  let done = 0;
  for (;;) {
    const started = process.hrtime.bigint();
    const { rows } = await client.query<{ id: number }>(pass.candidatesSql, [after, size]);
    if (rows.length === 0) break;
    const batch = await runLockingBatch(
      client,
      pass,
      rows.map((row) => row.id),
      tuning,
    );
    done += batch.changed;
    progress.update(done);
    after = batch.ids[batch.ids.length - 1]!;
    if (batch.ids.length === rows.length && rows.length < size) break;
    // Back to at least the usual minimum after a retry shrank the batch: each
    // try is bounded by the lock timeout anyway, and single-row batches would
    // make a pass with many candidates crawl.
    size = nextBatchSize(batch.ids.length, msSince(started), tuning);
    if (tuning.batchPauseMs > 0) await pauseFor(tuning.batchPauseMs);
  }
  progress.finish(done);
  return done;
}

const pauseFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One batch over `ids`, retried on a lock timeout with the first half of its
 * ids (the rows before the locked one still get done) until it commits.
 * Returns the ids it covered and the rows it changed.
 */
async function runLockingBatch(
  client: pg.ClientBase,
  pass: CandidatePass,
  candidates: number[],
  tuning: MigrationTuning,
): Promise<{ ids: number[]; changed: number }> {
  let ids = candidates;
  for (let attempt = 1; ; attempt++) {
    await client.query('BEGIN');
    try {
      await client.query('SET LOCAL synchronous_commit = off');
      await client.query(`SET LOCAL lock_timeout = ${tuning.lockTimeoutMs}`);
      const result = await client.query<{ n: string }>(pass.batchSql, [ids]);
      await client.query('COMMIT');
      return { ids, changed: Number(result.rows[0]?.n ?? 0) };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (!isLockTimeout(error)) throw error;
      if (attempt >= tuning.ddlAttempts) {
        throw new CandidateLockTimeoutError(
          `${pass.label}: gave up after ${attempt} tries to lock rows from id ${ids[0]}. ` +
            `Long transactions holding them: ${await longTransactions(client)}. ` +
            'End them (or wait for them) and run the migration again; it resumes safely.',
        );
      }
      ids = ids.slice(0, Math.ceil(ids.length / 2));
      migrationLog(
        `${pass.label}: a row is locked by another transaction; ` +
          `try ${attempt + 1} with ${ids.length} rows from id ${ids[0]}`,
      );
      await pauseBeforeRetry(attempt);
    }
  }
}
