import type pg from 'pg';

/** A DDL statement could not get its lock within the retries; the message says who holds it. */
export class LockNotAcquiredError extends Error {
  override readonly name = 'LockNotAcquiredError';
}

export interface OnlineDdlOptions {
  /** Longest wait for a lock per attempt; default 50 ms (env GMA_DDL_LOCK_TIMEOUT_MS). */
  lockTimeoutMs?: number;
  /** Attempts before giving up; default 40 (env GMA_DDL_ATTEMPTS). */
  attempts?: number;
}

const LOCK_NOT_AVAILABLE = '55P03';

function setting(value: number | undefined, env: string, fallback: number): number {
  if (value !== undefined) return value;
  const raw = process.env[env];
  const n = raw === undefined || raw === '' ? NaN : Number(raw);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Transactions older than a few seconds, to name the blocker when a lock never comes. */
async function longTransactions(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ pid: number; age: string; query: string }>(
    `SELECT pid, (now() - xact_start)::text AS age, left(query, 80) AS query
       FROM pg_stat_activity
      WHERE xact_start < now() - interval '2 seconds' AND pid <> pg_backend_pid()
      ORDER BY xact_start LIMIT 3`,
  );
  return rows.map((r) => `pid ${r.pid} (open ${r.age}): ${r.query}`).join('; ') || 'none found';
}

/**
 * Runs DDL statements in one transaction with a short lock_timeout, retrying
 * with backoff when the lock is not granted. An ALTER TABLE waiting behind a
 * long transaction would otherwise queue every writer of the table behind
 * it; with a short timeout writers stall at most that long per attempt.
 */
export async function runOnlineDdl(
  client: pg.Client,
  statements: string[],
  options: OnlineDdlOptions = {},
): Promise<void> {
  const lockTimeoutMs = setting(options.lockTimeoutMs, 'GMA_DDL_LOCK_TIMEOUT_MS', 50);
  const attempts = setting(options.attempts, 'GMA_DDL_ATTEMPTS', 40);
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = ${lockTimeoutMs}`);
      for (const sql of statements) await client.query(sql);
      await client.query('COMMIT');
      return;
    } catch (error) {
      await client.query('ROLLBACK');
      if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw error;
      if (attempt >= attempts) {
        throw new LockNotAcquiredError(
          `Gave up after ${attempts} attempts to lock for: ${statements[0]}. ` +
            `Long transactions holding it up: ${await longTransactions(client)}. ` +
            'End them (or wait for them) and run the migration again; it resumes safely.',
        );
      }
      // Exponential backoff with jitter, capped, so writers drain between attempts.
      await sleep(Math.min(2000, 25 * 2 ** Math.min(attempt, 7)) * (0.5 + Math.random()));
    }
  }
}
