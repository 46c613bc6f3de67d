import pg from 'pg';
import { OperatorError } from '../operator-error';
import { assertOwnSession, type SessionCheckOptions } from './session-check';

/** Key of the advisory lock that every migrator of this schema takes. */
export const MIGRATION_LOCK_KEY = 7_362_016_201;

export interface LockOptions {
  key?: number;
  /** Give up after this long; default ten minutes. */
  timeoutMs?: number;
  pollMs?: number;
  /** How often the held lock is checked; default one second. */
  heartbeatMs?: number;
  /**
   * A check unanswered this long means the connection is gone (a dropped
   * network answers nothing); default 20 s, before the server's keepalive
   * (~25 s) ends the session and frees the lock for another migrator.
   */
  heartbeatTimeoutMs?: number;
  /** Called once, the first time the lock is found taken. */
  onWait?: () => void;
  sessionCheck?: SessionCheckOptions;
}

/** The lock is still held by another session after the timeout. */
export class LockTimeoutError extends OperatorError {
  override readonly name = 'LockTimeoutError';
}

/** The lock's connection or session ended while the lock was held: stop, and let a re-run resume. */
export class LockLostError extends OperatorError {
  override readonly name = 'LockLostError';
  constructor(reason: string) {
    super(
      `Lost the migration lock (${reason}); stopped before the next migration. ` +
        'Run the same command again: it resumes where this run stopped.',
    );
  }
}

/** The lock while `fn` runs: check it before each step. */
export interface HeldLock {
  /** Throws LockLostError once the lock is lost. */
  assertHeld(): void;
  /** Settles with the LockLostError when the lock is lost; never rejects. */
  readonly lost: Promise<LockLostError>;
}

/**
 * Runs `fn` while holding a session-level advisory lock on a dedicated
 * connection. It polls pg_try_advisory_lock instead of blocking in
 * pg_advisory_lock: a blocked waiter's snapshot makes the holder's
 * CREATE INDEX CONCURRENTLY wait for it, a deadlock PostgreSQL cannot see.
 *
 * A session lock is only as good as its session, so before taking it the
 * connection must prove it has a session of its own (no transaction pooler:
 * there the lock would stay on a pooled server connection after we are
 * gone). While `fn` runs, a heartbeat checks that this session still holds
 * it; a lost connection (terminated backend, network) makes `lost` settle
 * and `assertHeld` throw, and `fn`'s promise is abandoned with the error.
 * The server drops the lock with the session, and TCP keepalives make it
 * notice a vanished client within about half a minute.
 */
export async function withAdvisoryLock<T>(
  databaseUrl: string,
  fn: (lock: HeldLock) => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const { key = MIGRATION_LOCK_KEY, timeoutMs = 600_000, pollMs = 200, onWait } = options;
  const { heartbeatMs = 1000, heartbeatTimeoutMs = 20_000 } = options;
  const config: pg.ClientConfig = {
    connectionString: databaseUrl,
    application_name: 'gma-migration-lock',
    keepAlive: true,
  };
  const client = new pg.Client(config);
  let lostError: LockLostError | undefined;
  let markLost: (error: LockLostError) => void = () => undefined;
  const lost = new Promise<LockLostError>((resolve) => {
    markLost = (error) => {
      lostError ??= error;
      resolve(lostError);
    };
  });
  // Without a listener, pg's 'error' event on a lost connection kills the process.
  client.on('error', (error) =>
    markLost(new LockLostError(`its connection failed: ${error.message}`)),
  );
  client.on('end', () => markLost(new LockLostError('its connection was closed')));
  await client.connect();
  let heartbeat: NodeJS.Timeout | undefined;
  let finished = false;
  let acquired = false;
  try {
    await assertOwnSession(client, config, options.sessionCheck);
    // The server side of keepalive: a client that vanished without closing
    // its socket (network down, host gone) releases the lock in ~25 s.
    await client.query(
      'SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3',
    );
    const holder = await acquire(client, key, timeoutMs, pollMs, onWait);
    acquired = true;
    const check = async () => {
      if (finished || lostError) return;
      let silent: NodeJS.Timeout | undefined;
      try {
        // pg would wait forever for an answer that cannot come.
        const timeout = new Promise<never>((_, reject) => {
          silent = setTimeout(
            () => reject(new Error(`no answer for ${heartbeatTimeoutMs} ms`)),
            heartbeatTimeoutMs,
          );
        });
        const query = client.query<{ pid: number; held: boolean }>(HELD_SQL, [
          Math.floor(key / 2 ** 32),
          key % 2 ** 32,
        ]);
        query.catch(() => undefined);
        const { rows } = await Promise.race([query, timeout]);
        if (finished) return;
        if (rows[0]!.pid !== holder) {
          markLost(new LockLostError(`its session changed from process ${holder}`));
          // Not our session any more: end the one holding the lock, so it cannot outlive us.
          await client.query('SELECT pg_terminate_backend($1)', [holder]).catch(() => undefined);
        } else if (!rows[0]!.held) {
          markLost(new LockLostError('its session no longer holds it'));
        }
      } catch (error) {
        if (finished) return;
        markLost(new LockLostError(`its connection failed: ${(error as Error).message}`));
      } finally {
        clearTimeout(silent);
      }
      if (!lostError && !finished) heartbeat = setTimeout(check, heartbeatMs);
    };
    heartbeat = setTimeout(check, heartbeatMs);
    const held: HeldLock = {
      assertHeld() {
        if (lostError) throw lostError;
      },
      lost,
    };
    const work = fn(held);
    // fn may go on after the lock is lost; its later failure is not news.
    work.catch(() => undefined);
    const result = await Promise.race([work, lost.then((error) => Promise.reject(error))]);
    finished = true;
    clearTimeout(heartbeat);
    await client.query('SELECT pg_advisory_unlock($1)', [key]);
    return result;
  } catch (error) {
    finished = true;
    clearTimeout(heartbeat);
    // The lock ends with the session anyway; an unlock failure must not
    // hide why the migration failed.
    if (acquired && !lostError) {
      await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
    }
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const HELD_SQL = `
  SELECT pg_backend_pid() AS pid,
         EXISTS (SELECT 1 FROM pg_locks
                  WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()
                    AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 1) AS held`;

/** Polls until the lock is taken; returns the server process that holds it. */
async function acquire(
  client: pg.Client,
  key: number,
  timeoutMs: number,
  pollMs: number,
  onWait: (() => void) | undefined,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let waited = false;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean; pid: number }>(
      'SELECT pg_try_advisory_lock($1) AS locked, pg_backend_pid() AS pid',
      [key],
    );
    if (rows[0]?.locked) return rows[0].pid;
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
}
