import type pg from 'pg';
import { OperatorError } from '../../operator-error';
import { isLockTimeout, longTransactions, pauseBeforeRetry } from './lock-retry';
import { migrationTuning } from './tuning';

/** A DDL statement could not get its lock within the retries; the message says who holds it. */
export class DdlLockTimeoutError extends OperatorError {
  override readonly name = 'DdlLockTimeoutError';
}

/**
 * Cancels a routine autovacuum holding a lock on `tables`. PostgreSQL does
 * this itself once a lock request has waited deadlock_timeout (1 s), but a
 * 50 ms lock_timeout gives up long before that, and after a large backfill
 * autovacuum holds the table for seconds. Anti-wraparound runs are left
 * alone; without the privilege to cancel, this does nothing.
 */
async function cancelAutovacuum(client: pg.ClientBase, tables: readonly string[]): Promise<void> {
  if (tables.length === 0) return;
  try {
    await client.query(
      `SELECT pg_cancel_backend(a.pid) FROM pg_stat_activity a
        WHERE a.backend_type = 'autovacuum worker'
          AND a.query NOT LIKE '%to prevent wraparound%'
          AND EXISTS (SELECT 1 FROM pg_locks l
                       WHERE l.pid = a.pid AND l.relation = ANY($1::regclass[]))`,
      [tables],
    );
  } catch {
    // Not allowed to signal it: waiting and retrying still works, only slower.
  }
}

/**
 * Runs DDL statements in one transaction with a short lock_timeout, retrying
 * with backoff when the lock is not granted. An ALTER TABLE waiting behind a
 * long transaction would otherwise queue every writer of the table behind
 * it; with a short timeout writers stall at most that long per attempt.
 * `tables` are the tables the statements lock (in the current schema).
 */
export async function runOnlineDdl(
  client: pg.ClientBase,
  statements: readonly string[],
  tables: readonly string[],
): Promise<void> {
  const { lockTimeoutMs, ddlAttempts } = migrationTuning();
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = ${lockTimeoutMs}`);
      for (const sql of statements) await client.query(sql);
      await client.query('COMMIT');
      return;
    } catch (error) {
      await client.query('ROLLBACK');
      if (!isLockTimeout(error)) throw error;
      await cancelAutovacuum(client, tables);
      if (attempt >= ddlAttempts) {
        throw new DdlLockTimeoutError(
          `Gave up after ${ddlAttempts} attempts to lock for: ${statements[0]}. ` +
            `Long transactions holding it up: ${await longTransactions(client)}. ` +
            'End them (or wait for them) and run the migration again; it resumes safely.',
        );
      }
      await pauseBeforeRetry(attempt);
    }
  }
}
