import type pg from 'pg';

/** SQLSTATE of a lock not granted within lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';

/** True when `error` is PostgreSQL giving up on a lock after lock_timeout. */
export const isLockTimeout = (error: unknown) =>
  (error as { code?: string } | null)?.code === LOCK_NOT_AVAILABLE;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with jitter, capped, so writers drain between attempts. */
export function pauseBeforeRetry(attempt: number): Promise<unknown> {
  return sleep(Math.min(2000, 25 * 2 ** Math.min(attempt, 7)) * (0.5 + Math.random()));
}

/** Transactions older than a few seconds, to name the blocker when a lock never comes. */
export async function longTransactions(client: pg.ClientBase): Promise<string> {
  const { rows } = await client.query<{ pid: number; age: string; query: string }>(
    `SELECT pid, (now() - xact_start)::text AS age, left(query, 80) AS query
       FROM pg_stat_activity
      WHERE xact_start < now() - interval '2 seconds' AND pid <> pg_backend_pid()
      ORDER BY xact_start LIMIT 3`,
  );
  return rows.map((r) => `pid ${r.pid} (open ${r.age}): ${r.query}`).join('; ') || 'none found';
}
