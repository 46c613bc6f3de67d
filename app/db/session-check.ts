import pg from 'pg';
import { OperatorError } from '../operator-error';

/** The migration connection does not keep one server session: a transaction (or statement) pooler. */
export class TransactionPoolerError extends OperatorError {
  override readonly name = 'TransactionPoolerError';
  constructor(evidence: string) {
    super(
      `The migration connection goes through a transaction pooler such as PgBouncer in ` +
        `pool_mode=transaction (${evidence}): a migration needs a session of its own for its lock ` +
        'and its DDL. Nothing was changed. Set MIGRATION_DATABASE_URL to a direct connection to ' +
        'PostgreSQL (or a session-mode pool) and keep DATABASE_URL on the pooler for the app.',
    );
  }
}

export interface SessionCheckOptions {
  /**
   * Probe rounds; each gives a pooler one more chance to show itself. Default
   * 3 when the server's own process answers (a direct connection), 12 when
   * something in between answers for it (a pooler, which may be in session
   * mode and acceptable, or in transaction mode, which a busy pool can hide
   * for a round or two).
   */
  rounds?: number;
  /** How long one probe statement may wait before it counts as proof (or, for a probe, gives up). */
  waitMs?: number;
}

/** What the check saw, for logs and measurements. */
export interface SessionCheckResult {
  /** The server process behind `client`. */
  backendPid: number;
  /** The cancel key's process id differs from it: something (a proxy, a pooler) is in between. */
  proxied: boolean;
  rounds: number;
}

const PID_SQL = 'SELECT pg_backend_pid() AS pid';

async function backendPid(client: pg.Client): Promise<number> {
  return (await client.query<{ pid: number }>(PID_SQL)).rows[0]!.pid;
}

const TIMED_OUT = Symbol('timed out');
function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Proves, before anything is changed, that `client` keeps one server
 * session across statements, or throws TransactionPoolerError.
 *
 * On a direct connection (or a session-mode pool) a client has one server
 * process for its whole life and no other client ever runs on it. A
 * transaction pooler hands the server connection back after each statement.
 * So each round lets `client` finish a statement, then opens a probe on the
 * same address and holds a transaction open on it, and looks for either
 * proof: the probe runs on `client`'s server process (PgBouncer gives the
 * most recently released server connection to the next request), or
 * `client`'s next statement runs on another process, or waits behind the
 * probe's idle transaction (the pool is full). Neither can happen with a
 * session of one's own, so the check never refuses a direct connection.
 */
export async function assertOwnSession(
  client: pg.Client,
  config: pg.ClientConfig,
  options: SessionCheckOptions = {},
): Promise<SessionCheckResult> {
  const own = await backendPid(client);
  // pg keeps the cancel key's process id; PostgreSQL sends its own pid there.
  const keyPid = (client as unknown as { processID: number | null }).processID;
  const { rounds = keyPid === own ? 3 : 12, waitMs = 10_000 } = options;
  const probes: pg.Client[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const probe = new pg.Client({ ...config, application_name: 'gma-session-check' });
      probe.on('error', () => undefined);
      probes.push(probe);
      // A probe that cannot get a connection or a server process (a full
      // session pool, max_connections) proves nothing either way: stop probing.
      if ((await within(probe.connect(), waitMs).catch(() => TIMED_OUT)) === TIMED_OUT) break;
      try {
        await probe.query('BEGIN');
      } catch (error) {
        // PostgreSQL never refuses BEGIN; a statement-mode pooler does.
        throw new TransactionPoolerError(`it refused a transaction: ${(error as Error).message}`);
      }
      const other = await within(backendPid(probe), waitMs).catch(() => TIMED_OUT);
      if (other === TIMED_OUT) break;
      if (other === own) {
        throw new TransactionPoolerError(
          `another connection was served by this connection's server process ${own}`,
        );
      }
      const again = await within(backendPid(client), waitMs);
      if (again === TIMED_OUT) {
        throw new TransactionPoolerError(
          `a statement waited over ${waitMs} ms behind another connection's idle transaction`,
        );
      }
      if (again !== own) {
        throw new TransactionPoolerError(
          `two consecutive statements ran on server processes ${own} and ${again}`,
        );
      }
    }
  } finally {
    await Promise.all(probes.map((probe) => probe.end().catch(() => undefined)));
  }
  return { backendPid: own, proxied: keyPid !== own, rounds };
}
