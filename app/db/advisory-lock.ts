import pg from 'pg';
import { OperatorError } from '../operator-error';

/** Key of the advisory lock that every migrator of this schema takes. */
export const MIGRATION_LOCK_KEY = 7_362_016_201;

export interface LockOptions {
  key?: number;
  /** Give up after this long; default ten minutes. */
  timeoutMs?: number;
  pollMs?: number;
  /** Called once, the first time the lock is found taken. */
  onWait?: () => void;
}

/** The lock is still held by another session after the timeout. */
export class LockTimeoutError extends OperatorError {
  override readonly name = 'LockTimeoutError';
}

/**
 * Runs `fn` while holding a session-level advisory lock on a dedicated
 * connection. It polls pg_try_advisory_lock instead of blocking in
 * pg_advisory_lock: a blocked waiter's snapshot makes the holder's
 * CREATE INDEX CONCURRENTLY wait for it, a deadlock PostgreSQL cannot see.
 */
export async function withAdvisoryLock<T>(
  databaseUrl: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const { key = MIGRATION_LOCK_KEY, timeoutMs = 600_000, pollMs = 200, onWait } = options;
  const client = new pg.Client({
    connectionString: databaseUrl,
    application_name: 'gma-migration-lock',
  });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    let waited = false;
    for (;;) {
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1) AS locked',
        [key],
      );
      if (rows[0]?.locked) break;
      if (!waited) onWait?.();
      waited = true;
      if (Date.now() >= deadline) {
        throw new LockTimeoutError(
          `Another migrator has held the migration lock for over ${Math.round(timeoutMs / 1000)} s. ` +
            'Find it with: SELECT pid, application_name, state, query FROM pg_stat_activity ' +
            `WHERE pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = ${key % 2 ** 32})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      // The lock ends with the session anyway; an unlock failure must not
      // hide why the migration failed.
      await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
      throw error;
    }
    await client.query('SELECT pg_advisory_unlock($1)', [key]);
    return result;
  } finally {
    await client.end().catch(() => undefined);
  }
}
