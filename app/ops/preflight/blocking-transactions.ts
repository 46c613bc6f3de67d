import type pg from 'pg';
import type { CheckResult } from '../check-report';

/** An open transaction older than the limit, and the touched tables it holds locks on. */
export interface OldTransaction {
  pid: number;
  user: string;
  application: string;
  state: string;
  seconds: number;
  query: string;
  lockedTables: string[];
}

/**
 * Open transactions in this database older than `maxSeconds`. Any of them
 * holding a lock on a table makes ALTER TABLE wait (and every writer queue
 * behind that ALTER); any of them at all makes CREATE INDEX CONCURRENTLY
 * wait for it to end.
 */
export async function oldTransactions(
  client: pg.ClientBase,
  tables: readonly string[],
  maxSeconds: number,
): Promise<OldTransaction[]> {
  const { rows } = await client.query<{
    pid: number;
    user: string | null;
    application: string | null;
    state: string | null;
    seconds: number;
    query: string | null;
    locked_tables: string[] | null;
  }>(
    `SELECT a.pid, a.usename AS user, a.application_name AS application, a.state,
            extract(epoch FROM now() - a.xact_start)::float8 AS seconds,
            left(a.query, 120) AS query,
            (SELECT array_agg(DISTINCT c.relname::text ORDER BY c.relname::text)
               FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
              WHERE l.pid = a.pid AND c.relname = ANY($1)) AS locked_tables
       FROM pg_stat_activity a
      WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
        AND a.xact_start IS NOT NULL
        AND a.xact_start < now() - make_interval(secs => $2)
      ORDER BY a.xact_start`,
    [tables, maxSeconds],
  );
  return rows.map((row) => ({
    pid: row.pid,
    user: row.user ?? '?',
    application: row.application ?? '',
    state: row.state ?? '?',
    seconds: row.seconds,
    query: (row.query ?? '').replace(/\s+/g, ' '),
    lockedTables: row.locked_tables ?? [],
  }));
}

/** The preflight line for old transactions: a failure when there is any. */
export async function checkBlockingTransactions(
  client: pg.ClientBase,
  tables: readonly string[],
  maxSeconds: number,
): Promise<CheckResult> {
  const found = await oldTransactions(client, tables, maxSeconds);
  const name = 'long-running transactions';
  if (found.length === 0) {
    return { name, status: 'ok', summary: `none open longer than ${maxSeconds} s` };
  }
  return {
    name,
    status: 'fail',
    summary:
      `${found.length} transaction(s) open longer than ${maxSeconds} s would make the ` +
      'migration DDL wait; end them (or wait) before migrating',
    details: found.map(
      (t) =>
        `pid ${t.pid} (${t.user}${t.application ? `, ${t.application}` : ''}, ${t.state}) ` +
        `open ${t.seconds.toFixed(1)} s` +
        (t.lockedTables.length ? `, locks ${t.lockedTables.join(', ')}` : '') +
        `: ${t.query}  -- to end it: SELECT pg_terminate_backend(${t.pid})`,
    ),
  };
}
